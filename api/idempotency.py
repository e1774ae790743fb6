"""``Idempotency-Key`` on ticket creation and replies: a monitoring tool that retries after a
timeout gets the first answer again instead of filing a second ticket.

The record is written in the same transaction as the ticket or reply it answers, before the
service runs: a second request with the same key waits on the unique row (PostgreSQL) or the
write lock (SQLite) until the first commits, then finds the record and replays it. A refused
request rolls back its record with everything else, so a corrected retry with the same key is
served afresh. Records are per API key and kept ``API_IDEMPOTENCY_KEEP_HOURS``.
"""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from .models import ApiKey, IdempotencyRecord
from .problems import Problem

HEADER = "Idempotency-Key"
MAX_LENGTH = 255


def key_of(request) -> str | None:
    value = request.headers.get(HEADER)
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > MAX_LENGTH or not value.isprintable():
        raise Problem(
            400,
            "invalid_idempotency_key",
            f"{HEADER} must be 1 to {MAX_LENGTH} printable characters.",
        )
    return value


def fingerprint(request, data: dict) -> str:
    """The method, path and body as the API understood them (files by name and content), so
    that a retry sent with another multipart boundary or key order still matches."""
    files = {}
    for name, uploads in request.FILES.lists():
        files[name] = [(f.name, hashlib.sha256(b"".join(f.chunks())).hexdigest()) for f in uploads]
        for upload in uploads:
            upload.seek(0)
    plain = {k: v for k, v in data.items() if k not in files}
    canonical = json.dumps(
        [request.method, request.path, plain, files], sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint_: str) -> Response:
    if record.fingerprint != fingerprint_:
        raise Problem(
            422,
            "idempotency_key_reused",
            f"This {HEADER} was used for a different request; use a new key for a new request.",
        )
    response = Response(record.body, status=record.status_code)
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    return response


def run_once(request, data: dict, act) -> Response:
    """``act()`` (which returns the response) once per ``Idempotency-Key`` of the calling key;
    without the header, simply ``act()``. Call it inside the request's transaction."""
    key = key_of(request)
    if key is None:
        return act()
    api_key: ApiKey = request.auth
    print_ = fingerprint(request, data)
    existing = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
    if existing is not None:
        return _replay(existing, print_)
    record = IdempotencyRecord(
        api_key=api_key,
        key=key,
        fingerprint=print_,
        status_code=0,
        body={},
        created_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # Another request with this key committed while this one waited for it.
        return _replay(IdempotencyRecord.objects.get(api_key=api_key, key=key), print_)
    response = act()
    record.status_code = response.status_code
    record.body = response.data
    record.location = response.get("Location", "")[:500]
    record.save(update_fields=["status_code", "body", "location"])
    return response

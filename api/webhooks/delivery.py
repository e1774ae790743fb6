"""Delivering webhooks, in the mail outbox's manner (``outbox.delivery``): rows written in the
transaction that recorded the fact, sent by a worker, safe to run twice at once, late, or after
a worker died half-way. A request never waits for a receiver.

- **Dispatch**: each ``events.Event`` not fanned out yet becomes one delivery row per active
  endpoint of its organisation that subscribed to its type, and is marked dispatched, in one
  transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; a unique row per endpoint and event
  makes a racing dispatcher's work a no-op).
- **Claim**: due rows are taken with a conditional UPDATE that sets ``sending``, a lease and a
  token of this run; only rows carrying the token are sent by it.
- **Send**: one signed POST per row (``targets.post``: HTTPS, checked address, no redirects,
  ``WEBHOOK_TIMEOUT_SECONDS``). A 2xx answer delivers it; anything else is retried with
  exponential back-off (``WEBHOOK_RETRY_BASE_SECONDS`` doubling up to
  ``WEBHOOK_RETRY_MAX_SECONDS``) until ``WEBHOOK_MAX_ATTEMPTS``, then it is ``failed``.
- **Crash**: a worker that died leaves rows in ``sending``; once the lease ran out they are
  pending again (the attempt counts). Receivers see the same ``X-Portal-Event-Id`` on every
  attempt and may get a call twice in that case only.
"""

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from events.models import Event
from lib.broker import send_hint
from lib.urls import absolute_url

from ..models import WebhookDelivery, WebhookEndpoint
from . import signing, targets

logger = logging.getLogger(__name__)

State = WebhookDelivery.State
DISPATCH_BATCH = 500
USER_AGENT = "SupportPortal-Webhooks/1"


@dataclass
class DeliveryResult:
    dispatched: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0
    more: bool = False


# --- asking for a run ------------------------------------------------------------------------


def request_delivery() -> None:
    """After a commit that recorded events: ask the worker for a run (``task``, through
    ``lib.broker.send_hint``), or leave it to the beat's periodic run (``off``). Never raises:
    the beat catches up."""
    mode = settings.WEBHOOK_DELIVER_ON_COMMIT
    if mode == "off":
        return
    if mode != "task":
        raise ValueError(f"WEBHOOK_DELIVER_ON_COMMIT must be 'task' or 'off', not {mode!r}")
    from ..tasks import webhooks_deliver

    send_hint(
        webhooks_deliver,
        what="webhook delivery",
        expires=settings.WEBHOOK_DELIVER_INTERVAL_SECONDS * 2,
    )


# --- one run ---------------------------------------------------------------------------------


def webhooks_deliver(
    *, now: datetime, batch_size: int | None = None, time_budget: float | None = None
) -> DeliveryResult:
    """Fan out new events and send every delivery due at ``now``, ``batch_size`` at a time,
    until none is due or ``time_budget`` seconds are spent. Call it outside a transaction."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime.")
    batch_size = batch_size or settings.WEBHOOK_BATCH_SIZE
    budget = settings.WEBHOOK_DELIVER_SECONDS if time_budget is None else time_budget
    started = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    result = DeliveryResult()
    while dispatched := webhooks_dispatch(now=clock()):
        result.dispatched += dispatched
        if dispatched < DISPATCH_BATCH:
            break
    while True:
        result.recovered += _recover_expired_leases(clock())
        rows, token = _claim(clock(), batch_size)
        if not rows:
            break
        for row in rows:
            _send(row, token, clock(), result)
        if len(rows) < batch_size:
            break
        if time.monotonic() - started >= budget:
            result.more = _due(clock()).exists()
            break
    if result.delivered or result.retried or result.failed:
        logger.info(
            "Webhooks: %d delivered, %d to retry, %d failed",
            result.delivered,
            result.retried,
            result.failed,
        )
    return result


def webhooks_dispatch(*, now: datetime) -> int:
    """Write the deliveries of up to ``DISPATCH_BATCH`` events not fanned out yet; returns how
    many events it took."""
    with transaction.atomic():
        events = list(
            Event.objects.filter(dispatched_at__isnull=True)
            .order_by("occurred_at", "pk")
            .select_for_update(skip_locked=True)[:DISPATCH_BATCH]
        )
        if not events:
            return 0
        endpoints: dict[int, list[WebhookEndpoint]] = {}
        for endpoint in WebhookEndpoint.objects.filter(
            organisation_id__in={e.organisation_id for e in events}, is_active=True
        ):
            endpoints.setdefault(endpoint.organisation_id, []).append(endpoint)
        rows = [
            WebhookDelivery(endpoint=endpoint, event=event, created_at=now, next_attempt_at=now)
            for event in events
            for endpoint in endpoints.get(event.organisation_id, [])
            # An endpoint hears of what happened once it was there, not of older history.
            if event.type in (endpoint.event_types or [])
            and event.occurred_at >= endpoint.created_at
        ]
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        Event.objects.filter(pk__in=[e.pk for e in events], dispatched_at__isnull=True).update(
            dispatched_at=now
        )
        return len(events)


def _due(now: datetime):
    return WebhookDelivery.objects.filter(state=State.PENDING, next_attempt_at__lte=now)


def _claim(now: datetime, batch_size: int) -> tuple[list[WebhookDelivery], str]:
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = list(
            _due(now)
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch_size]
        )
        if not candidates:
            return [], token
        _due(now).filter(pk__in=candidates).update(
            state=State.SENDING,
            attempts=F("attempts") + 1,
            locked_until=now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS),
            lease_token=token,
        )
    rows = list(
        WebhookDelivery.objects.filter(lease_token=token)
        .select_related("endpoint__organisation", "event__organisation")
        .order_by("next_attempt_at", "pk")
    )
    return rows, token


def _recover_expired_leases(now: datetime) -> int:
    expired = WebhookDelivery.objects.filter(state=State.SENDING, locked_until__lte=now)
    note = "The worker sending it stopped before recording the answer"
    failed = expired.filter(attempts__gte=settings.WEBHOOK_MAX_ATTEMPTS).update(
        state=State.FAILED, locked_until=None, lease_token=None, last_error=f"{note}."
    )
    retried = expired.update(
        state=State.PENDING,
        next_attempt_at=now,
        locked_until=None,
        lease_token=None,
        last_error=f"{note}; sending again.",
    )
    return failed + retried


# --- the call --------------------------------------------------------------------------------


def payload(event: Event) -> dict:
    """What a receiver gets: the event, its ticket's addresses and the event's own data."""
    body = {
        "id": str(event.uuid),
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat(),
        "organisation": event.organisation.slug,
        "data": event.data,
    }
    if event.ticket_id:
        body["ticket"] = {
            "id": event.ticket_id,
            "url": absolute_url(reverse("tickets:detail", args=[event.ticket_id])),
            "api_url": absolute_url(reverse("api:ticket_detail", args=[event.ticket_id])),
        }
    return body


def signed_request(event: Event, secret: str, *, now: datetime) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload(event), separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Portal-Event-Id": str(event.uuid),
        "X-Portal-Event-Type": event.type,
        "X-Portal-Timestamp": str(timestamp),
        "X-Portal-Signature": signing.signature(secret, timestamp, body),
    }
    return body, headers


def _send(row: WebhookDelivery, token: str, now: datetime, result: DeliveryResult) -> None:
    endpoint = row.endpoint
    if not endpoint.is_active:
        _record(row, token, now, result, give_up=True, error="The endpoint was disabled.")
        return
    body, headers = signed_request(row.event, endpoint.secret, now=now)
    try:
        answer = targets.post(endpoint.url, body, headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    except targets.UnsafeTarget as exc:
        _record(row, token, now, result, give_up=True, error=str(exc))
        return
    except Exception as exc:  # every network failure is recorded on the row and retried
        _record(row, token, now, result, error=f"{type(exc).__name__}: {exc}")
        return
    if 200 <= answer.status < 300:
        _record(row, token, now, result, status=answer.status, delivered=True)
    else:
        _record(
            row,
            token,
            now,
            result,
            status=answer.status,
            error=f"HTTP {answer.status}: {answer.body[:500]}",
        )


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    base, ceiling = settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_RETRY_MAX_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), ceiling))


def _record(
    row: WebhookDelivery,
    token: str,
    now: datetime,
    result: DeliveryResult,
    *,
    status: int | None = None,
    error: str = "",
    delivered: bool = False,
    give_up: bool = False,
) -> None:
    changes: dict = {
        "locked_until": None,
        "lease_token": None,
        "last_attempt_at": now,
        "last_status_code": status,
        "last_error": error[:2000],
    }
    if delivered:
        changes.update(state=State.DELIVERED, delivered_at=now)
    elif give_up or row.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        changes["state"] = State.FAILED
    else:
        changes.update(state=State.PENDING, next_attempt_at=now + retry_delay(row.attempts))
    if not WebhookDelivery.objects.filter(pk=row.pk, lease_token=token).update(**changes):
        return  # another run took the row over after this lease ran out; its answer counts
    if delivered:
        result.delivered += 1
    elif changes["state"] == State.FAILED:
        result.failed += 1
        logger.warning("Webhook %s to %s failed for good: %s", row.pk, row.endpoint.url, error)
    else:
        result.retried += 1


# --- housekeeping ----------------------------------------------------------------------------


def webhooks_prune(*, now: datetime) -> int:
    """Delete finished deliveries and dispatched events older than ``WEBHOOK_KEEP_DAYS``."""
    cutoff = now - timedelta(days=settings.WEBHOOK_KEEP_DAYS)
    deleted = WebhookDelivery.objects.filter(
        state__in=[State.DELIVERED, State.FAILED], created_at__lt=cutoff
    ).delete()[0]
    old_events = Event.objects.filter(dispatched_at__lt=cutoff).exclude(
        pk__in=WebhookDelivery.objects.values("event_id")
    )
    return deleted + old_events.delete()[0]

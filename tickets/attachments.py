"""Upload checks for ticket attachments: size limits (per file, per request) and an allow-list
checked against the file's content, not only its name; and the periodic removal of stored files
whose database row was never written."""

import logging
from datetime import datetime, timedelta
from pathlib import Path, PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

logger = logging.getLogger(__name__)

# Binary types recognised by their magic bytes, with the extensions that may carry them.
BINARY_TYPES = {
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/gif": {".gif"},
    "image/webp": {".webp"},
    "application/pdf": {".pdf"},
    "application/zip": {".zip"},
    "application/gzip": {".gz", ".tgz"},
}
# Logs and other text: accepted when the content really is text.
TEXT_EXTENSIONS = {".txt", ".log", ".csv", ".json", ".xml", ".har"}
ALLOWED_DESCRIPTION = "screenshots (PNG, JPEG, GIF, WebP), PDF, ZIP or gzip archives, and text logs (.txt, .log, .csv, .json, .xml, .har)"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character may be cut at the end of the sample.
        return exc.start >= len(head) - 3
    return True


def validate_upload(upload: UploadedFile) -> str:
    """Return the content type to store, or raise ``ValidationError`` saying what is wrong."""
    name = upload.name or "file"
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"{name} is {filesizeformat(upload.size)}; attachments may be at most {filesizeformat(limit)}.",
            code="attachment_too_large",
        )
    if upload.size == 0:
        raise ValidationError(f"{name} is empty.", code="attachment_empty")
    suffix = PurePath(name).suffix.lower()
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in BINARY_TYPES:
        if suffix not in BINARY_TYPES[kind.mime]:
            raise ValidationError(
                f"{name} contains {kind.mime} but is named {suffix or 'without an extension'}; "
                "rename it to match its content.",
                code="attachment_type_mismatch",
            )
        return kind.mime
    if kind is None and suffix in TEXT_EXTENSIONS and _looks_like_text(head):
        return "text/plain"
    raise ValidationError(
        f"{name} is not a file type we accept. Allowed: {ALLOWED_DESCRIPTION}.",
        code="attachment_type",
    )


def validate_upload_set(uploads: list[UploadedFile]) -> None:
    """Refuse more files, or more bytes in all, than one request may carry
    (``ATTACHMENT_MAX_FILES``, ``ATTACHMENT_MAX_TOTAL_BYTES``)."""
    count_limit = settings.ATTACHMENT_MAX_FILES
    if len(uploads) > count_limit:
        raise ValidationError(
            f"You attached {len(uploads)} files; attach at most {count_limit} at a time.",
            code="attachments_too_many",
        )
    total = sum(upload.size or 0 for upload in uploads)
    total_limit = settings.ATTACHMENT_MAX_TOTAL_BYTES
    if total > total_limit:
        raise ValidationError(
            f"The attachments add up to {filesizeformat(total)}; together they may be at most "
            f"{filesizeformat(total_limit)}.",
            code="attachments_too_large",
        )


# --- files left behind ---------------------------------------------------------------------

ATTACHMENTS_FOLDER = "attachments"
ORPHAN_MIN_AGE = timedelta(hours=1)
_BATCH = 500


def orphan_files_remove(*, now: datetime, min_age: timedelta = ORPHAN_MIN_AGE) -> list[str]:
    """Delete stored attachment files that no ``Attachment`` row names and that are older than
    ``min_age``; return their names.

    A file is written before its row, inside the request's transaction; when that transaction
    rolls back (a later file refused, a database error, a worker killed), the file stays on
    disk with nothing pointing at it. ``min_age`` keeps files whose row is still being
    committed. Safe to run twice at once: a file already gone is skipped.
    """
    from .models import Attachment

    root = Path(settings.MEDIA_ROOT)
    folder = root / ATTACHMENTS_FOLDER
    if not folder.is_dir():
        return []
    cutoff = (now - min_age).timestamp()
    candidates = []
    for path in folder.rglob("*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                candidates.append(path.relative_to(root).as_posix())
        except FileNotFoundError:
            continue
    removed = []
    for start in range(0, len(candidates), _BATCH):
        batch = candidates[start : start + _BATCH]
        known = set(Attachment.objects.filter(file__in=batch).values_list("file", flat=True))
        for name in batch:
            if name in known:
                continue
            try:
                (root / name).unlink()
            except FileNotFoundError:
                continue
            removed.append(name)
    if removed:
        logger.info("Removed %d attachment files without a database row", len(removed))
    return removed

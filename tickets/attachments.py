"""Upload checks for ticket attachments: size limit and an allow-list checked against the file's
content, not only its name."""

from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

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

"""The mail backend of a development machine (``make run`` without ``EMAIL_URL``): each message
is written whole to a file under ``EMAIL_FILE_PATH`` and announced by one log line, instead of
every message's headers and body scrolling through the console between the other processes'
lines."""

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

logger = logging.getLogger("portal.mail")


class SavedMailBackend(BaseEmailBackend):
    def __init__(self, *args, file_path=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        self.folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            path = self.folder / f"{timezone.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes(linesep="\n"))
            logger.info(
                "Mail to %s: %s (saved as %s)",
                ", ".join(message.recipients()),
                message.subject,
                path,
            )
        return len(email_messages)

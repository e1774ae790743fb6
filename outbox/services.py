"""The one way the portal sends email.

Callers build messages with ``lib.mail.compose`` and hand them to ``mail_enqueue`` inside the
transaction that records the fact they announce (a reply, a breach, a reminder): nothing is sent
for a change that was rolled back.
"""

import logging
from collections.abc import Iterable
from functools import partial

from django.core.mail import EmailMessage, get_connection
from django.db import transaction

logger = logging.getLogger(__name__)


def mail_enqueue(messages: Iterable[EmailMessage | None]) -> int:
    """Queue ``messages`` (``None`` entries are skipped) to go out once the current
    transaction commits. Returns how many were queued."""
    batch = [message for message in messages if message is not None]
    if batch:
        transaction.on_commit(partial(_deliver, batch))
    return len(batch)


def _deliver(messages: list[EmailMessage]) -> None:
    try:
        get_connection().send_messages(messages)
    except Exception:  # a mail outage must not turn a saved change into an error
        logger.exception("Could not send %d emails", len(messages))

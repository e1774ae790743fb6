"""The one way the portal sends email: a transactional outbox.

Callers build messages with ``lib.mail.compose`` and hand them to ``mail_enqueue`` inside the
transaction that records the fact they announce (a reply, a breach, a reminder). The messages
become rows of that same transaction: a change that rolls back leaves no mail behind, and a
change that commits cannot lose its mail, whatever happens to a worker or the mail server
afterwards. ``outbox.delivery`` sends the rows; no caller ever waits on SMTP.

After the commit, delivery is asked for according to ``OUTBOX_DELIVER_ON_COMMIT``:

- ``task`` (production): one Celery task per transaction. Enqueueing fails fast when the broker
  is down; the beat's periodic run delivers the rows then, so nothing is lost.
- ``inline``: this process sends exactly the rows the transaction wrote, right after the commit
  (tests read them from Django's locmem outbox; the test settings choose it).
- ``off``: nothing is asked for; only the beat's periodic run delivers.
"""

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from lib.broker import send_hint

from .models import OutgoingMail

logger = logging.getLogger(__name__)

State = OutgoingMail.State
DELIVERY_MODES = ("task", "inline", "off")
FAILED_COUNT_CACHE_KEY = "outbox:failed-count"


def mail_enqueue(messages: Iterable[EmailMessage | None]) -> int:
    """Store ``messages`` (``None`` entries and messages without recipients are skipped) in the
    current transaction, to be sent once it commits. Returns how many were stored.

    Call it inside the transaction that records why the mail is sent. Attachments are refused:
    no caller sends any, and a file does not belong in this table.
    """
    now = timezone.now()
    rows = [_row(message, now) for message in messages if message and message.recipients()]
    if not rows:
        return 0
    created = OutgoingMail.objects.bulk_create(rows)
    _request_delivery([row.pk for row in created])
    return len(created)


def _row(message: EmailMessage, now: datetime) -> OutgoingMail:
    if message.attachments:
        raise ValueError("The outbox does not store attachments.")
    headers = dict(message.extra_headers)
    message_id = _pop_header(headers, "Message-ID") or _new_message_id(message.from_email)
    return OutgoingMail(
        message_id=message_id,
        subject=message.subject,
        body=message.body,
        content_subtype=message.content_subtype,
        alternatives=[[content, mimetype] for content, mimetype in _alternatives(message)],
        from_email=message.from_email,
        to=list(message.to),
        cc=list(message.cc),
        bcc=list(message.bcc),
        reply_to=list(message.reply_to),
        headers=headers,
        created_at=now,
        next_attempt_at=now,
    )


def _alternatives(message: EmailMessage) -> list:
    return list(getattr(message, "alternatives", None) or [])


def _pop_header(headers: dict, name: str) -> str | None:
    for key in list(headers):
        if key.lower() == name.lower():
            return headers.pop(key)
    return None


def _new_message_id(from_email: str) -> str:
    # Not django.core.mail.make_msgid: it asks the resolver for this host's name (slow, and
    # differs between the web and worker machines); the sender's domain is stable.
    domain = parseaddr(from_email)[1].rpartition("@")[2] or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


# --- asking for delivery ---------------------------------------------------------------------


def _request_delivery(ids: list[int]) -> None:
    mode = settings.OUTBOX_DELIVER_ON_COMMIT
    if mode == "inline":
        transaction.on_commit(partial(_deliver_inline, ids))
    elif mode == "task":
        if not _task_already_requested():
            transaction.on_commit(request_delivery_task)
    elif mode != "off":
        raise ValueError(f"OUTBOX_DELIVER_ON_COMMIT must be one of {DELIVERY_MODES}, not {mode!r}")


def _task_already_requested() -> bool:
    """Whether this transaction already asks for a delivery task when it commits: one task
    delivers everything due, so a transaction that enqueues mail ten times enqueues it once."""
    return connection.in_atomic_block and any(
        callback is request_delivery_task for _, callback, _ in connection.run_on_commit
    )


def request_delivery_task() -> bool:
    """Enqueue one delivery task (``lib.broker.send_hint``: never raises, fails fast with the
    broker down and then pauses); the beat's periodic run delivers the mail otherwise. Returns
    whether the task was enqueued."""
    from .tasks import outbox_deliver

    # A kick that waited longer than this in the queue is older than the beat's next run.
    return send_hint(
        outbox_deliver,
        what="mail delivery",
        expires=settings.OUTBOX_DELIVER_INTERVAL_SECONDS * 2,
    )


def _deliver_inline(ids: list[int]) -> None:
    from .delivery import outbox_deliver

    try:
        outbox_deliver(now=timezone.now(), ids=ids)
    except Exception:  # a committed change must not turn into an error because of its mail
        logger.exception("Inline mail delivery failed; the periodic run will retry")


# --- managers' actions -----------------------------------------------------------------------


@transaction.atomic
def outbox_retry(*, mail_id: int, actor, now: datetime) -> bool:
    """Send a pending or failed message again as soon as possible, with a fresh set of attempts.

    Returns False (and changes nothing) when the message is being sent or was sent meanwhile.
    """
    retried = OutgoingMail.objects.filter(
        pk=mail_id, state__in=[State.PENDING, State.FAILED]
    ).update(state=State.PENDING, attempts=0, next_attempt_at=now)
    if retried:
        logger.info("Mail %s queued again by %s", mail_id, actor)
        transaction.on_commit(forget_failed_count)
        _request_delivery([mail_id])
    return bool(retried)


def forget_failed_count() -> None:
    """Drop the cached count of undelivered mail so this process's next page shows the change."""
    cache.delete(FAILED_COUNT_CACHE_KEY)

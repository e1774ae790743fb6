"""Delivering the outbox: claim due rows, send them through Django's mail backend, record the
answer. Safe to run twice at once, late, or after a worker died half-way.

- **Claim**: due rows are read in order (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so racing
  workers take different rows instead of queueing behind each other; SQLite's IMMEDIATE
  transactions serialise writers anyway) and taken with a conditional UPDATE that sets
  ``state = sending``, a lease (``locked_until``) and a token of this run. Only rows carrying
  that token are sent by this run, so two workers never send the same row.
- **Send**: one connection per batch, each message with the backend's socket timeout
  (``OUTBOX_SEND_TIMEOUT_SECONDS``). The row is marked sent right after the server accepted it,
  so the only window for a duplicate is a crash between the two; the stable Message-ID lets the
  receiving side recognise that copy.
- **Fail**: a temporary failure is retried with exponential back-off (``OUTBOX_RETRY_BASE_SECONDS``
  doubling up to ``OUTBOX_RETRY_MAX_SECONDS``) until ``OUTBOX_MAX_ATTEMPTS``, then the row is
  ``failed`` for the managers to see; a permanent refusal (an SMTP 5xx answer) fails at once.
  When the connection itself broke, the rest of the batch goes back unsent and uncounted, so a
  mail server outage costs one timeout per run rather than one per message.
- **Crash**: a worker that died leaves rows in ``sending``; once their lease has run out the
  next run puts them back (the attempt counts, so a message that kills its worker every time
  ends up ``failed`` instead of looping).
- **Time**: a run stops claiming after ``OUTBOX_DELIVER_SECONDS`` and gives back whatever its
  lease would not cover, so a slow mail server never holds a worker for long; the caller asks
  for another run when mail is left (``outbox_deliver_and_continue``).
"""

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F

from .models import OutgoingMail
from .services import forget_failed_count, request_delivery_task

logger = logging.getLogger(__name__)

State = OutgoingMail.State
# Errors after which the connection is useless: the rest of the batch would only wait for the
# same timeout, one message after another.
CONNECTION_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPNotSupportedError,
    ConnectionError,
    TimeoutError,
)
# An SMTP exchange is several round trips, each bounded by the socket timeout: a message is
# given up to this many timeouts before the lease is considered too short to start it.
ROUND_TRIPS_PER_MESSAGE = 4
PRUNE_BATCH = 1000


@dataclass
class DeliveryResult:
    """What one run did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    # Claimed but handed back unsent (time budget, or the connection broke).
    released: int = 0
    # Rows of a worker whose lease ran out, put back for another attempt (or failed).
    recovered: int = 0
    # Delivered after the lease ran out: another worker may send the same message again.
    late: int = 0
    # The run stopped on its time budget with due mail left.
    more: bool = False


def outbox_deliver(
    *,
    now: datetime,
    batch_size: int | None = None,
    ids: list[int] | None = None,
    time_budget: float | None = None,
) -> DeliveryResult:
    """Send the mail due at ``now`` (only rows ``ids`` if given), ``batch_size`` rows per claim,
    until none is due or ``time_budget`` seconds are spent.

    Call it outside a transaction (each claim and each answer commits on its own). Running it
    again, or in two workers at once, sends nothing twice.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime.")
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    budget = settings.OUTBOX_DELIVER_SECONDS if time_budget is None else time_budget
    started = time.monotonic()

    def clock() -> datetime:
        # ``now`` moved on by the real time spent: leases and send times stay true during a
        # long run, and tests that pass a fixed ``now`` still see that instant (plus a few ms).
        return now + timedelta(seconds=time.monotonic() - started)

    result = DeliveryResult()
    while True:
        result.recovered += _recover_expired_leases(clock())
        rows, token = _claim(clock(), batch_size, ids)
        if not rows:
            break
        _send_batch(rows, token, clock, result)
        if len(rows) < batch_size:
            break
        if time.monotonic() - started >= budget:
            result.more = _due(clock(), ids).exists()
            break
    if result.sent or result.retried or result.failed or result.recovered:
        # Routine deliveries are debug noise; trouble is worth a line at the default level.
        trouble = result.retried or result.failed or result.recovered
        logger.log(
            logging.INFO if trouble else logging.DEBUG,
            "Outbox: %d sent, %d to retry, %d failed, %d released, %d recovered from dead workers",
            result.sent,
            result.retried,
            result.failed,
            result.released,
            result.recovered,
        )
    if result.failed:
        forget_failed_count()
    return result


def outbox_deliver_and_continue(*, now: datetime) -> DeliveryResult:
    """``outbox_deliver``, then one more delivery task if it stopped on its time budget with
    mail left: a backlog drains at the mail server's pace, one bounded task after another, and
    other tasks (the SLA sweep) get their turn in between."""
    result = outbox_deliver(now=now)
    if result.more:
        request_delivery_task()
    return result


# --- claiming --------------------------------------------------------------------------------


def _due(now: datetime, ids: list[int] | None):
    due = OutgoingMail.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
    return due if ids is None else due.filter(pk__in=ids)


def _claim(now: datetime, batch_size: int, ids: list[int] | None) -> tuple[list[OutgoingMail], str]:
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = list(
            _due(now, ids)
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch_size]
        )
        if not candidates:
            return [], token
        # The condition repeats what made the rows due: a row another worker took since it was
        # read (possible where the read did not lock it) is left alone.
        _due(now, None).filter(pk__in=candidates).update(
            state=State.SENDING,
            attempts=F("attempts") + 1,
            locked_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
            lease_token=token,
        )
    rows = list(OutgoingMail.objects.filter(lease_token=token).order_by("next_attempt_at", "pk"))
    return rows, token


def _recover_expired_leases(now: datetime) -> int:
    """Rows whose worker died before it recorded an answer: back to pending (the attempt it
    made still counts), or failed once out of attempts. Conditional UPDATEs, so two runs doing
    this at once (or a worker taking such a row right after) do not disturb each other."""
    expired = OutgoingMail.objects.filter(state=State.SENDING, locked_until__lte=now)
    note = "The worker sending it stopped before recording the server's answer"
    failed = expired.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS).update(
        state=State.FAILED,
        locked_until=None,
        lease_token=None,
        last_error=f"{note}; no attempts left.",
    )
    retried = expired.update(
        state=State.PENDING,
        next_attempt_at=now,
        locked_until=None,
        lease_token=None,
        last_error=f"{note}; sending again with the same Message-ID.",
    )
    if failed or retried:
        logger.warning(
            "Outbox: %d leases ran out (%d failed, %d retried)", failed + retried, failed, retried
        )
    if failed:
        forget_failed_count()
    return failed + retried


# --- sending ---------------------------------------------------------------------------------


def _send_batch(rows: list[OutgoingMail], token: str, clock, result: DeliveryResult) -> None:
    timeout = settings.OUTBOX_SEND_TIMEOUT_SECONDS
    lease_ends = clock() + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    connection = get_connection(timeout=timeout)
    opened = False
    try:
        for index, row in enumerate(rows):
            # Start a message only if its lease outlasts its worst case: otherwise another
            # worker could take the row over while this one is still talking to the server.
            if clock() + timedelta(seconds=ROUND_TRIPS_PER_MESSAGE * timeout) > lease_ends:
                result.released += _release(rows[index:], token)
                return
            try:
                if not opened:
                    connection.open()
                    opened = True
                connection.send_messages([build_message(row)])
            except Exception as exc:  # every failure is recorded on the row, none is lost
                _close_quietly(connection)
                opened = False
                _record_failure(row, token, exc, clock(), result)
                if isinstance(exc, CONNECTION_ERRORS):
                    result.released += _release(rows[index + 1 :], token)
                    return
            else:
                _record_sent(row, token, clock(), result)
    finally:
        _close_quietly(connection)


def build_message(row: OutgoingMail) -> EmailMultiAlternatives:
    """The message of ``row``, with its own Message-ID on every attempt."""
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=row.from_email,
        to=row.to,
        cc=row.cc,
        bcc=row.bcc,
        reply_to=row.reply_to,
        headers={**row.headers, "Message-ID": row.message_id},
        alternatives=[tuple(pair) for pair in row.alternatives],
    )
    message.content_subtype = row.content_subtype
    return message


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # closing a connection that already broke can only fail again
        logger.debug("Closing the mail connection failed", exc_info=True)


def _record_sent(row: OutgoingMail, token: str, now: datetime, result: DeliveryResult) -> None:
    sent = {"state": State.SENT, "sent_at": now, "locked_until": None, "lease_token": None}
    if OutgoingMail.objects.filter(pk=row.pk, lease_token=token).update(**sent, last_error=""):
        result.sent += 1
        return
    # The lease ran out while the server took its time and another run took the row over: the
    # message was delivered all the same, so say so, unless that run already did.
    result.late += 1
    OutgoingMail.objects.filter(pk=row.pk).exclude(state=State.SENT).update(**sent)
    logger.warning("Outbox: %s was delivered after its lease ran out", row.message_id)


def _is_permanent(exc: Exception) -> bool:
    """An SMTP 5xx answer: sending the same message again gets the same answer."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    base, ceiling = settings.OUTBOX_RETRY_BASE_SECONDS, settings.OUTBOX_RETRY_MAX_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), ceiling))


def _record_failure(
    row: OutgoingMail, token: str, exc: Exception, now: datetime, result: DeliveryResult
) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    give_up = _is_permanent(exc) or row.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    changes = {"locked_until": None, "lease_token": None, "last_error": error}
    if give_up:
        changes["state"] = State.FAILED
    else:
        changes.update(state=State.PENDING, next_attempt_at=now + retry_delay(row.attempts))
    if not OutgoingMail.objects.filter(pk=row.pk, lease_token=token).update(**changes):
        return  # another run took the row over after this lease ran out; its answer counts
    if give_up:
        result.failed += 1
        logger.error(
            "Outbox: giving up on %s after %d attempts: %s", row.message_id, row.attempts, error
        )
    else:
        result.retried += 1
        logger.warning(
            "Outbox: %s failed (attempt %d), retrying: %s", row.message_id, row.attempts, error
        )


def _release(rows: list[OutgoingMail], token: str) -> int:
    """Hand claimed rows back unsent; the attempt they were charged is given back too."""
    if not rows:
        return 0
    return OutgoingMail.objects.filter(pk__in=[r.pk for r in rows], lease_token=token).update(
        state=State.PENDING,
        attempts=F("attempts") - 1,
        locked_until=None,
        lease_token=None,
    )


# --- housekeeping ----------------------------------------------------------------------------


def outbox_prune(*, now: datetime) -> int:
    """Delete sent mail older than ``OUTBOX_KEEP_SENT_DAYS``; undelivered mail is kept.
    Returns how many rows went. Safe to run twice at once (a row deleted twice is gone once)."""
    cutoff = now - timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS)
    deleted = 0
    while True:
        ids = list(
            OutgoingMail.objects.filter(state=State.SENT, sent_at__lt=cutoff).values_list(
                "pk", flat=True
            )[:PRUNE_BATCH]
        )
        if not ids:
            return deleted
        deleted += OutgoingMail.objects.filter(pk__in=ids, state=State.SENT).delete()[0]

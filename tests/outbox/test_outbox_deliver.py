"""``outbox_deliver`` against Django's locmem backend and a real SMTP server on 127.0.0.1."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import transaction

from outbox.delivery import outbox_deliver, retry_delay
from outbox.models import OutgoingMail
from outbox.services import mail_enqueue

from .helpers import message, states

NOW = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def beat_only(settings):
    """Rows are only written; each test runs delivery itself."""
    settings.OUTBOX_DELIVER_ON_COMMIT = "off"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600


def enqueue(*messages, at: datetime = NOW):
    mail_enqueue(messages)
    OutgoingMail.objects.update(created_at=at, next_attempt_at=at)


@pytest.mark.django_db
def test_due_mail_is_sent_once_however_often_delivery_runs():
    enqueue(message(1), message(2))

    first = outbox_deliver(now=NOW)
    again = outbox_deliver(now=NOW + timedelta(minutes=1))

    assert (first.sent, again.sent) == (2, 0)
    assert sorted(m.subject for m in mail.outbox) == ["Mail 1", "Mail 2"]
    rows = OutgoingMail.objects.order_by("pk")
    assert [(r.state, r.attempts, r.lease_token, r.locked_until) for r in rows] == [
        ("sent", 1, None, None),
        ("sent", 1, None, None),
    ]
    assert all(r.sent_at >= NOW for r in rows)


@pytest.mark.django_db
def test_the_sent_message_carries_the_rows_message_id_and_fields():
    enqueue(
        message(1, cc=["c@example.com"], reply_to=["r@example.com"], headers={"X-Ticket": "#7"})
    )
    row = OutgoingMail.objects.get()

    outbox_deliver(now=NOW)

    (sent,) = mail.outbox
    headers = sent.message()
    assert headers["Message-ID"] == row.message_id
    assert headers["X-Ticket"] == "#7"
    assert headers["Reply-To"] == "r@example.com"
    assert sent.recipients() == ["person1@example.com", "c@example.com"]


@pytest.mark.django_db
def test_mail_not_yet_due_waits():
    enqueue(message(1), at=NOW + timedelta(minutes=5))

    assert outbox_deliver(now=NOW).sent == 0
    assert mail.outbox == []
    assert outbox_deliver(now=NOW + timedelta(minutes=5)).sent == 1


@pytest.mark.django_db
def test_only_the_given_rows_are_sent_when_ids_are_named():
    enqueue(message(1), message(2))
    first = OutgoingMail.objects.order_by("pk").first()

    outbox_deliver(now=NOW, ids=[first.pk])

    assert [m.subject for m in mail.outbox] == ["Mail 1"]
    assert states() == {"sent": 1, "pending": 1}


@pytest.mark.django_db
def test_a_temporary_smtp_failure_is_retried_with_back_off_then_fails(smtp_server):
    smtp_server.behaviour.reply = "451 4.3.0 Try again later"
    enqueue(message(1))
    row = OutgoingMail.objects.get()

    now = NOW
    for attempt, delay in [(1, 60), (2, 120)]:
        result = outbox_deliver(now=now)
        row.refresh_from_db()
        assert (result.retried, row.state, row.attempts) == (1, "pending", attempt)
        assert "451" in row.last_error
        waited = row.next_attempt_at - now
        assert timedelta(seconds=delay) <= waited < timedelta(seconds=delay + 5)
        assert outbox_deliver(now=now + waited - timedelta(seconds=10)).retried == 0  # not yet
        now += waited

    result = outbox_deliver(now=now)  # third and last attempt
    row.refresh_from_db()
    assert (result.failed, row.state, row.attempts) == (1, "failed", 3)
    assert smtp_server.received == []
    assert outbox_deliver(now=now + timedelta(days=1)).failed == 0  # failed mail stays failed


@pytest.mark.django_db
def test_a_mail_server_that_recovers_gets_the_mail_on_the_next_attempt(smtp_server):
    smtp_server.behaviour.reply = "421 4.7.0 Too busy"
    enqueue(message(1))
    outbox_deliver(now=NOW)
    smtp_server.behaviour.reply = "250 OK"

    row = OutgoingMail.objects.get()
    result = outbox_deliver(now=row.next_attempt_at)

    row.refresh_from_db()
    assert (result.sent, row.state, row.attempts, row.last_error) == (1, "sent", 2, "")
    assert smtp_server.message_ids == [row.message_id]


def test_back_off_doubles_up_to_its_ceiling(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 600
    assert [retry_delay(n).total_seconds() for n in range(1, 7)] == [60, 120, 240, 480, 600, 600]


@pytest.mark.django_db
def test_a_permanent_refusal_fails_at_once(smtp_server):
    smtp_server.behaviour.reply = "554 5.7.1 Message rejected"
    enqueue(message(1))

    result = outbox_deliver(now=NOW)

    row = OutgoingMail.objects.get()
    assert (result.failed, row.state, row.attempts) == (1, "failed", 1)
    assert "554" in row.last_error


@pytest.mark.django_db
def test_a_dropped_connection_retries_that_message_and_hands_back_the_rest(smtp_server):
    smtp_server.behaviour.drop = True
    enqueue(message(1), message(2), message(3))

    result = outbox_deliver(now=NOW)

    rows = list(OutgoingMail.objects.order_by("pk"))
    assert (result.retried, result.released, result.sent) == (1, 2, 0)
    assert [(r.state, r.attempts) for r in rows] == [("pending", 1), ("pending", 0), ("pending", 0)]
    assert "SMTPServerDisconnected" in rows[0].last_error
    assert rows[0].next_attempt_at > NOW + timedelta(seconds=59)
    assert rows[1].next_attempt_at == NOW  # still due: the next run tries it at once

    smtp_server.behaviour.drop = False
    assert outbox_deliver(now=NOW + timedelta(seconds=1)).sent == 2
    assert outbox_deliver(now=NOW + timedelta(minutes=2)).sent == 1
    assert sorted(smtp_server.message_ids) == sorted(r.message_id for r in rows)


@pytest.mark.django_db
def test_an_unreachable_mail_server_costs_one_attempt_per_run(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens: refused
    enqueue(message(1), message(2))

    result = outbox_deliver(now=NOW)

    assert (result.retried, result.released) == (1, 1)
    assert "ConnectionRefusedError" in OutgoingMail.objects.order_by("pk")[0].last_error


@pytest.mark.django_db
def test_a_lease_that_ran_out_is_sent_again_by_the_next_run():
    enqueue(message(1))
    # A worker claimed the row and died before recording the server's answer.
    OutgoingMail.objects.update(
        state="sending", attempts=1, locked_until=NOW + timedelta(minutes=2), lease_token="dead"
    )

    assert outbox_deliver(now=NOW + timedelta(minutes=1)).sent == 0  # the lease still holds
    assert mail.outbox == []

    result = outbox_deliver(now=NOW + timedelta(minutes=2))

    row = OutgoingMail.objects.get()
    assert (result.recovered, result.sent) == (1, 1)
    assert (row.state, row.attempts, row.lease_token) == ("sent", 2, None)
    assert [m.message()["Message-ID"] for m in mail.outbox] == [row.message_id]


@pytest.mark.django_db
def test_a_message_that_keeps_killing_its_worker_ends_up_failed(settings):
    enqueue(message(1))
    OutgoingMail.objects.update(state="sending", attempts=3, locked_until=NOW, lease_token="dead")

    result = outbox_deliver(now=NOW)

    row = OutgoingMail.objects.get()
    assert (result.recovered, result.sent, row.state) == (1, 0, "failed")
    assert "no attempts left" in row.last_error
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_worker_that_outlived_its_lease_records_the_delivery_it_made(monkeypatch):
    """The row was taken over after its lease ran out; the first worker's late answer still
    marks it sent (and counts as late), and the other worker's later answer changes nothing."""
    from outbox import delivery

    enqueue(message(1))
    taken_over = []

    def slow_send(self, messages):
        if not taken_over:
            # While this worker waits on the server, the lease runs out and another takes over.
            OutgoingMail.objects.update(lease_token="other", locked_until=NOW)
            taken_over.append(True)
        mail.outbox.extend(messages)
        return len(messages)

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", slow_send)
    result = delivery.outbox_deliver(now=NOW)

    row = OutgoingMail.objects.get()
    assert (result.sent, result.late, row.state, row.lease_token) == (0, 1, "sent", None)


@pytest.mark.django_db
def test_a_run_hands_back_what_its_lease_would_not_cover(settings):
    settings.OUTBOX_SEND_TIMEOUT_SECONDS = 10
    settings.OUTBOX_LEASE_SECONDS = 30  # room for fewer than one message's worst case
    enqueue(message(1), message(2))

    result = outbox_deliver(now=NOW)

    assert (result.sent, result.released) == (0, 2)
    assert [(r.state, r.attempts) for r in OutgoingMail.objects.all()] == [("pending", 0)] * 2


@pytest.mark.django_db
def test_a_run_stops_claiming_after_its_time_budget_and_says_more_is_due(settings):
    enqueue(*[message(n) for n in range(5)])

    result = outbox_deliver(now=NOW, batch_size=2, time_budget=0)

    assert (result.sent, result.more) == (2, True)
    assert outbox_deliver(now=NOW, batch_size=2).sent == 3
    assert outbox_deliver(now=NOW, batch_size=2, time_budget=0).more is False


@pytest.mark.django_db(transaction=True)
def test_a_slow_mail_server_does_not_hold_up_the_committing_caller(
    settings, smtp_server, monkeypatch
):
    """Production mode: the commit only enqueues a task; the 2 s per message are the worker's."""
    settings.OUTBOX_DELIVER_ON_COMMIT = "task"
    smtp_server.behaviour.delay = 2.0
    from outbox.tasks import outbox_deliver as task

    requested = []
    monkeypatch.setattr(task, "apply_async", lambda **kw: requested.append(kw))

    started = time.monotonic()
    with transaction.atomic():
        mail_enqueue([message(1), message(2)])
    caller = time.monotonic() - started

    started = time.monotonic()
    result = outbox_deliver(now=datetime.now(UTC))
    worker = time.monotonic() - started

    assert caller < 0.5, caller
    assert len(requested) == 1
    assert result.sent == 2 and worker >= 4, worker
    assert len(smtp_server.message_ids) == 2


@pytest.mark.django_db
def test_delivery_refuses_a_naive_time():
    with pytest.raises(ValueError, match="aware"):
        outbox_deliver(now=datetime(2026, 11, 17, 8, 0))

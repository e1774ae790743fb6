"""``mail_enqueue`` writes rows in the caller's transaction and asks for delivery after it."""

import logging
import time

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from kombu.exceptions import OperationalError

from lib import broker
from outbox import services
from outbox.models import OutgoingMail
from outbox.services import mail_enqueue

from .helpers import message


@pytest.fixture
def task_requests(monkeypatch, settings):
    """Production mode, with the broker (an edge) replaced by a list of enqueued tasks."""
    settings.OUTBOX_DELIVER_ON_COMMIT = "task"
    requested = []
    from outbox.tasks import outbox_deliver

    monkeypatch.setattr(outbox_deliver, "apply_async", lambda **kw: requested.append(kw))
    return requested


@pytest.mark.django_db(transaction=True)
def test_rows_are_written_in_the_callers_transaction_and_vanish_on_rollback(settings):
    settings.OUTBOX_DELIVER_ON_COMMIT = "off"

    with pytest.raises(RuntimeError), transaction.atomic():
        assert mail_enqueue([message(1), message(2)]) == 2
        assert OutgoingMail.objects.count() == 2  # visible inside the transaction
        raise RuntimeError("the change being announced failed")

    assert OutgoingMail.objects.count() == 0

    with transaction.atomic():
        mail_enqueue([message(3)])
    assert list(OutgoingMail.objects.values_list("subject", "state")) == [("Mail 3", "pending")]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing_inline():
    with pytest.raises(RuntimeError), transaction.atomic():
        mail_enqueue([message(1)])
        raise RuntimeError("rolled back")

    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_inline_mode_sends_the_transactions_mail_right_after_the_commit():
    with transaction.atomic():
        mail_enqueue([message(1)])
        assert mail.outbox == []  # not before the commit

    assert [m.subject for m in mail.outbox] == ["Mail 1"]
    assert OutgoingMail.objects.get().state == "sent"


@pytest.mark.django_db
def test_the_row_keeps_everything_needed_to_send_the_message_again(settings):
    settings.OUTBOX_DELIVER_ON_COMMIT = "off"
    original = message(
        1,
        from_email="Support <support@portal.example>",
        to=["a@example.com", "b@example.com"],
        cc=["c@example.com"],
        bcc=["d@example.com"],
        reply_to=["reply@example.com"],
        headers={"X-Ticket": "#42"},
        alternatives=[("<p>Body</p>", "text/html")],
    )

    mail_enqueue([original])

    row = OutgoingMail.objects.get()
    assert row.subject == "Mail 1" and row.body == "Body of mail 1."
    assert row.from_email == "Support <support@portal.example>"
    assert (row.to, row.cc, row.bcc) == (["a@example.com", "b@example.com"], ["c@example.com"], ["d@example.com"])  # fmt: skip
    assert row.reply_to == ["reply@example.com"]
    assert row.headers == {"X-Ticket": "#42"}
    assert row.alternatives == [["<p>Body</p>", "text/html"]]
    assert row.message_id.startswith("<") and row.message_id.endswith("@portal.example>")
    assert (row.state, row.attempts) == ("pending", 0)
    assert row.next_attempt_at == row.created_at


@pytest.mark.django_db
def test_every_row_gets_its_own_message_id_unless_the_caller_chose_one(settings):
    settings.OUTBOX_DELIVER_ON_COMMIT = "off"
    mail_enqueue([message(1), message(2), message(3, headers={"message-id": "<mine@example.com>"})])

    ids = list(OutgoingMail.objects.order_by("pk").values_list("message_id", "headers"))
    assert len({i for i, _ in ids}) == 3
    assert ids[2] == ("<mine@example.com>", {})


@pytest.mark.django_db
def test_nothing_to_send_stores_nothing(settings):
    settings.OUTBOX_DELIVER_ON_COMMIT = "off"
    assert mail_enqueue([None, message(1, to=[]), None]) == 0
    assert OutgoingMail.objects.count() == 0


@pytest.mark.django_db
def test_attachments_are_refused_and_nothing_is_stored(settings):
    settings.OUTBOX_DELIVER_ON_COMMIT = "off"
    with_file = EmailMessage("Log", "See attached.", None, ["a@example.com"])
    with_file.attach("log.txt", "boom", "text/plain")

    with pytest.raises(ValueError, match="attachments"):
        mail_enqueue([message(1), with_file])
    assert OutgoingMail.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_task_mode_asks_for_one_task_per_transaction_and_only_after_the_commit(task_requests):
    with transaction.atomic():
        mail_enqueue([message(1)])
        mail_enqueue([message(2), message(3)])
        assert task_requests == []

    assert len(task_requests) == 1
    assert mail.outbox == []  # the worker sends, not the committing process

    with pytest.raises(RuntimeError), transaction.atomic():
        mail_enqueue([message(4)])
        raise RuntimeError("rolled back")
    assert len(task_requests) == 1


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_commit_succeeds_fast_and_the_mail_waits(
    settings, monkeypatch, caplog
):
    settings.OUTBOX_DELIVER_ON_COMMIT = "task"
    from outbox.tasks import outbox_deliver

    def broker_down(**kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(outbox_deliver, "apply_async", broker_down)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="outbox.services"), transaction.atomic():
        mail_enqueue([message(1)])

    assert time.monotonic() - started < 1
    assert OutgoingMail.objects.get().state == "pending"
    assert "Could not enqueue mail delivery" in caplog.text


@pytest.mark.django_db
def test_an_unknown_delivery_mode_is_an_error(settings):
    settings.OUTBOX_DELIVER_ON_COMMIT = "smoke-signals"
    with pytest.raises(ValueError, match="OUTBOX_DELIVER_ON_COMMIT"):
        mail_enqueue([message(1)])


def test_request_delivery_task_reports_whether_it_was_enqueued(monkeypatch):
    from outbox.tasks import outbox_deliver

    monkeypatch.setattr(outbox_deliver, "apply_async", lambda **kw: None)
    assert services.request_delivery_task() is True

    def refused(**kwargs):
        raise OperationalError("refused")

    monkeypatch.setattr(outbox_deliver, "apply_async", refused)
    assert services.request_delivery_task() is False

    # Paused: the broker is not even asked until the pause is over.
    monkeypatch.setattr(outbox_deliver, "apply_async", lambda **kw: pytest.fail("asked"))
    assert services.request_delivery_task() is False
    broker.resume()
    monkeypatch.setattr(outbox_deliver, "apply_async", lambda **kw: None)
    assert services.request_delivery_task() is True


@pytest.fixture
def closed_broker(settings, monkeypatch):
    """The real Celery app pointed at a port where nothing listens (connections are refused)."""
    from portal.celery import app

    saved = app.conf.broker_url
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    # Without the pools of the broker it first talked to, the app connects afresh.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    yield
    app.conf.broker_url = saved


@pytest.mark.django_db(transaction=True)
def test_a_real_unreachable_broker_costs_the_commit_little(settings, closed_broker, caplog):
    settings.OUTBOX_DELIVER_ON_COMMIT = "task"
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="outbox.services"), transaction.atomic():
        mail_enqueue([message(1)])
    elapsed = time.monotonic() - started

    assert "Could not enqueue mail delivery" in caplog.text
    assert elapsed < 3, elapsed  # the broker's 2 s connection timeout at most
    assert OutgoingMail.objects.get().state == "pending"

    # The next transactions of this process do not try again for a while: no wait at all.
    started = time.monotonic()
    with transaction.atomic():
        mail_enqueue([message(2)])
    assert time.monotonic() - started < 0.5
    assert OutgoingMail.objects.filter(state="pending").count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_costs_a_commit_one_timeout_for_mail_and_webhooks(
    settings, closed_broker, org_a
):
    """A commit that records mail and events hints the worker twice (mail and webhook delivery);
    with the broker down the first hint's timeout pauses the second as well."""
    from django.utils import timezone

    from events.models import EventType
    from events.services import EventRecord, event_record

    settings.OUTBOX_DELIVER_ON_COMMIT = "task"
    settings.WEBHOOK_DELIVER_ON_COMMIT = "task"
    started = time.monotonic()
    with transaction.atomic():
        mail_enqueue([message(1)])
        event_record(
            [
                EventRecord(
                    organisation_id=org_a.org.pk,
                    type=EventType.PING,
                    occurred_at=timezone.now(),
                )
            ]
        )
    elapsed = time.monotonic() - started
    assert elapsed < 3, elapsed  # one connection timeout (2 s), not one per kind of hint

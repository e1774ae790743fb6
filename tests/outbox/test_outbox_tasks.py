"""The outbox's Celery tasks, their beat entries, and pruning old sent mail."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from outbox.delivery import outbox_prune
from outbox.models import OutgoingMail
from outbox.services import mail_enqueue
from outbox.tasks import outbox_deliver
from outbox.tasks import outbox_prune as prune_task

from .helpers import message, states

NOW = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def beat_only(settings):
    settings.OUTBOX_DELIVER_ON_COMMIT = "off"


def test_the_delivery_task_is_acknowledged_late_and_time_limited_beyond_its_lease():
    assert outbox_deliver.acks_late is True
    assert outbox_deliver.reject_on_worker_lost is True
    assert (
        settings.OUTBOX_LEASE_SECONDS < outbox_deliver.soft_time_limit < outbox_deliver.time_limit
    )


def test_beat_delivers_every_minute_and_prunes_once_a_day():
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-deliver"]
    assert (entry["task"], entry["schedule"]) == ("outbox.tasks.outbox_deliver", 60.0)
    assert entry["options"]["expires"] < 60
    assert settings.CELERY_BEAT_SCHEDULE["outbox-prune"]["task"] == "outbox.tasks.outbox_prune"


@pytest.mark.django_db
def test_the_delivery_task_sends_what_is_due_when_it_runs():
    with time_machine.travel(NOW, tick=False):
        mail_enqueue([message(1)])
    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
        result = outbox_deliver.apply()

    assert result.successful(), result.traceback
    assert [m.subject for m in mail.outbox] == ["Mail 1"]


@pytest.mark.django_db
def test_a_run_that_stopped_on_its_budget_asks_for_the_next_one(settings, monkeypatch):
    settings.OUTBOX_DELIVER_SECONDS = 0
    settings.OUTBOX_BATCH_SIZE = 2
    requested = []
    monkeypatch.setattr(outbox_deliver, "apply_async", lambda **kw: requested.append(kw))
    mail_enqueue([message(n) for n in range(3)])

    outbox_deliver.apply()
    assert (len(mail.outbox), len(requested)) == (2, 1)

    outbox_deliver.apply()  # what is left fits in one batch: no further run
    assert (len(mail.outbox), len(requested)) == (3, 1)


@pytest.mark.django_db
def test_pruning_deletes_old_sent_mail_and_keeps_everything_else(settings):
    settings.OUTBOX_KEEP_SENT_DAYS = 30
    mail_enqueue([message(n) for n in range(4)])
    old, recent, failed, pending = OutgoingMail.objects.order_by("pk")
    OutgoingMail.objects.filter(pk=old.pk).update(state="sent", sent_at=NOW - timedelta(days=31))
    OutgoingMail.objects.filter(pk=recent.pk).update(state="sent", sent_at=NOW - timedelta(days=29))
    OutgoingMail.objects.filter(pk=failed.pk).update(state="failed")

    assert outbox_prune(now=NOW) == 1
    assert states() == {"sent": 1, "failed": 1, "pending": 1}
    assert not OutgoingMail.objects.filter(pk=old.pk).exists()
    assert outbox_prune(now=NOW) == 0


@pytest.mark.django_db
def test_the_prune_task_runs():
    assert prune_task.apply().successful()


def test_delivery_can_have_a_queue_of_its_own():
    """With OUTBOX_QUEUE set, the outbox's tasks (from beat or on commit) go to that queue and
    everything else to the default one. Settings are read once per process, hence a new one."""

    code = (
        "from portal.celery import app; app.loader.import_default_modules();"
        "r = app.amqp.router;"
        "print(r.route({}, 'outbox.tasks.outbox_deliver')['queue'].name,"
        " r.route({}, 'tickets.tasks.sla_sweep')['queue'].name)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "portal.settings", "CELERY_QUEUE": "portal"}
    env.update({k: os.environ[k] for k in ("PATH", "HOME", "DATABASE_URL") if k in os.environ})
    routed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env={**env, "OUTBOX_QUEUE": "portal-mail"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert routed.stdout.split() == ["portal-mail", "portal"], routed.stderr
    default = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert default.stdout.split() == ["portal", "portal"], default.stderr

"""The periodic tasks: one-line wrappers that take ``now`` when they run, acknowledged late and
time-limited, and their entries in the one beat schedule."""

from datetime import date

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core import mail

from onboarding.models import OnboardingReminder
from onboarding.services import onboarding_start
from onboarding.tasks import onboarding_remind
from tickets import services
from tickets.tasks import sla_sweep

from .tickets.conftest import local


@pytest.mark.parametrize("task", [sla_sweep, onboarding_remind], ids=lambda t: t.name)
def test_the_tasks_are_acknowledged_late_and_time_limited(task):
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert 0 < task.soft_time_limit < task.time_limit


def test_the_sweep_runs_every_minute_and_the_reminders_every_hour_on_the_hour():
    sweep = settings.CELERY_BEAT_SCHEDULE["sla-sweep"]
    assert (sweep["task"], sweep["schedule"]) == ("tickets.tasks.sla_sweep", 60.0)
    # A sweep stuck in the queue past the next tick is dropped: the next one catches up.
    assert sweep["options"]["expires"] < 60
    reminders = settings.CELERY_BEAT_SCHEDULE["onboarding-reminders"]
    assert reminders["task"] == "onboarding.tasks.onboarding_remind"
    assert reminders["schedule"] == crontab(minute=0)


def test_the_sweep_task_sweeps_at_the_time_it_runs(
    org_a, engineers, django_capture_on_commit_callbacks
):
    services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="incident",
        priority="P1",
        subject="Down",
        description="All queues.",
        now=local(2026, 11, 17, 10, 0),
    )
    with (
        time_machine.travel(local(2026, 11, 17, 10, 50), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = sla_sweep.apply()

    assert result.successful(), result.traceback
    assert [m.to for m in mail.outbox] == [[engineers["L1"].email]]


def test_the_reminder_task_reminds_at_the_time_it_runs(
    org_a, manager, django_capture_on_commit_callbacks
):
    onboarding_start(
        organisation=org_a.org,
        signed_on=date(2026, 11, 2),
        actor=manager,
        now=local(2026, 11, 2, 9, 0),
    )
    with (
        time_machine.travel(local(2026, 11, 17, 8, 5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = onboarding_remind.apply()

    assert result.successful(), result.traceback
    reminded = set(OnboardingReminder.objects.values_list("step__code", flat=True))
    assert reminded == {"tenant_provisioning", "superuser_account"}
    assert any(m.subject.startswith("Provisioning overdue: Alpha") for m in mail.outbox)

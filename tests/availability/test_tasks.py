"""The availability tasks and their entries in the beat schedule."""

import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core import mail

from availability import services
from availability.models import MaintenanceNotice, SlaStatement
from availability.tasks import maintenance_notices_send, sla_statements_send

from .conftest import local, utc


def test_the_tasks_are_acknowledged_late_and_time_limited():
    for task in (maintenance_notices_send, sla_statements_send):
        assert task.acks_late is True and task.reject_on_worker_lost is True
        assert 0 < task.soft_time_limit < task.time_limit


def test_the_beat_schedule_runs_notices_every_two_minutes_and_statements_hourly():
    notices = settings.CELERY_BEAT_SCHEDULE["maintenance-notices"]
    assert notices["task"] == "availability.tasks.maintenance_notices_send"
    assert notices["schedule"] == settings.MAINTENANCE_NOTICE_INTERVAL_SECONDS == 120.0
    assert notices["options"]["expires"] < notices["schedule"]
    statements = settings.CELERY_BEAT_SCHEDULE["sla-statements"]
    assert statements["task"] == "availability.tasks.sla_statements_send"
    assert statements["schedule"] == crontab(minute=10)


def test_the_notice_task_sends_at_the_time_it_runs(
    provisioned, manager, django_capture_on_commit_callbacks
):
    org_a, _ = provisioned
    services.maintenance_subscription_set(user=org_a.admin, subscribed=True)
    window = services.maintenance_window_open(
        region="europe", planned_starts_at=utc(2026, 11, 14, 22), actor=manager
    )
    services.maintenance_window_set_used(
        window=window, actor=manager, used=True, now=utc(2026, 11, 2)
    )
    with (
        time_machine.travel(local(2026, 11, 10, 9, 1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = maintenance_notices_send.apply()
    assert result.successful(), result.traceback
    assert MaintenanceNotice.objects.get().kind == "preliminary"
    assert [m.to for m in mail.outbox] == [["admin@alpha.example"]]


def test_the_statement_task_sends_at_the_time_it_runs(
    provisioned, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(local(2027, 1, 4, 8, 10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = sla_statements_send.apply()
    assert result.successful(), result.traceback
    assert SlaStatement.objects.count() == 2

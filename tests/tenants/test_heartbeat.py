"""The beat heartbeat: the periodic job that shows staff the background jobs are alive."""

from datetime import UTC, datetime

from django.urls import reverse

from tenants.models import Heartbeat
from tenants.services import heartbeat_record
from tenants.tasks import beat_heartbeat


def test_the_task_records_when_beat_last_ran(db):
    result = beat_heartbeat.apply()
    assert result.successful(), result.traceback
    beat = Heartbeat.objects.get(name="beat")

    later = beat_heartbeat.apply()
    assert later.successful(), later.traceback
    assert Heartbeat.objects.filter(name="beat").count() == 1
    assert Heartbeat.objects.get(name="beat").last_seen_at > beat.last_seen_at


def test_the_service_keeps_one_row_per_job(db):
    first = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    second = datetime(2026, 11, 20, 8, 1, tzinfo=UTC)
    heartbeat_record(name="beat", now=first)
    heartbeat_record(name="beat", now=second)
    heartbeat_record(name="other", now=first)
    assert dict(Heartbeat.objects.values_list("name", "last_seen_at")) == {
        "beat": second,
        "other": first,
    }


def test_support_staff_see_when_the_jobs_last_ran(client, manager):
    beat_heartbeat.apply()
    client.force_login(manager)
    body = client.get(reverse("home")).content.decode()
    assert "last ran" in body
    assert "have not run yet" not in body

"""One request carries a bounded number and size of files; files whose row was never written are
removed by a periodic job."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from tickets.attachments import orphan_files_remove
from tickets.models import Attachment, Ticket
from tickets.tasks import attachment_orphans_remove

from .helpers import file_ticket


def _log(name: str, size: int = 10) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"x" * (size - 1) + b"\n", content_type="text/plain")


@override_settings(ATTACHMENT_MAX_FILES=3)
def test_more_files_than_allowed_in_one_request_are_refused_and_nothing_is_saved(client, org_a):
    client.force_login(org_a.contact)
    response = file_ticket(client, org_a.prod, attachments=[_log(f"{n}.log") for n in range(4)])
    assert response.status_code == 400
    assert "attach at most 3 at a time" in str(response.context["form"].errors["attachments"])
    assert Ticket.objects.count() == 0
    assert Attachment.objects.count() == 0


@override_settings(ATTACHMENT_MAX_TOTAL_BYTES=25, ATTACHMENT_MAX_BYTES=20)
def test_files_that_add_up_to_more_than_the_total_are_refused(client, org_a):
    client.force_login(org_a.contact)
    response = file_ticket(client, org_a.prod, attachments=[_log("a.log", 15), _log("b.log", 15)])
    assert response.status_code == 400
    assert "together they may be at most" in str(response.context["form"].errors["attachments"])
    assert Ticket.objects.count() == 0


@override_settings(ATTACHMENT_MAX_FILES=3, ATTACHMENT_MAX_TOTAL_BYTES=100)
def test_files_within_both_limits_are_accepted(client, org_a):
    client.force_login(org_a.contact)
    response = file_ticket(client, org_a.prod, attachments=[_log("a.log"), _log("b.log")])
    assert response.status_code == 302
    assert Attachment.objects.count() == 2


@override_settings(REQUEST_MAX_BYTES=1000)
def test_a_request_body_over_the_limit_is_refused_before_it_is_read(client, org_a):
    client.force_login(org_a.contact)
    response = file_ticket(client, org_a.prod, attachments=[_log("big.log", 2000)])
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert Ticket.objects.count() == 0


def _stored(name: str, *, age: timedelta) -> Path:
    path = Path(settings.MEDIA_ROOT) / "attachments" / "2026" / "01" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"left behind\n")
    stamp = (timezone.now() - age).timestamp()
    os.utime(path, (stamp, stamp))
    return path


@pytest.fixture
def clean_media(settings, tmp_path):
    """A media folder of this test's own: files other tests left behind (their rows rolled
    back) would otherwise be orphans too."""
    settings.MEDIA_ROOT = tmp_path
    yield


def test_an_old_file_without_a_row_is_removed_and_a_referenced_one_kept(org_a, clean_media):
    from tickets import services

    ticket = services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="incident",
        priority="P3",
        subject="With a log",
        description="See the log.",
        attachments=[_log("kept.log")],
    )
    kept = Path(ticket.attachments.get().file.path)
    os.utime(kept, (0, 0))
    orphan = _stored("orphan-test-old.log", age=timedelta(hours=2))
    young = _stored("orphan-test-young.log", age=timedelta(minutes=10))

    removed = orphan_files_remove(now=timezone.now())

    assert removed == ["attachments/2026/01/orphan-test-old.log"]
    assert not orphan.exists()
    assert young.exists()
    assert kept.exists()


def test_the_task_runs_the_clean_up_and_beat_runs_it_hourly(clean_media, db):
    orphan = _stored("orphan-test-task.log", age=timedelta(hours=3))
    attachment_orphans_remove()
    assert not orphan.exists()
    entry = settings.CELERY_BEAT_SCHEDULE["attachment-orphans"]
    assert entry["task"] == attachment_orphans_remove.name

"""Celery tasks of the tickets app: one line each around a service that is safe to run twice.

Tasks are acknowledged late (a worker that dies mid-sweep leaves the task to be redelivered) and
take ``now`` when they run, never when they were queued, so a redelivered or late sweep works
on the present.
"""

from celery import shared_task
from django.utils import timezone

from .attachments import orphan_files_remove
from .sweep import sla_sweep as sweep


@shared_task(
    name="tickets.tasks.sla_sweep",
    acks_late=True,
    reject_on_worker_lost=True,
    # A sweep finishes in well under a second; one that is stuck must not overlap a pile of its
    # successors (they would only wait on the same ticket locks).
    soft_time_limit=50,
    time_limit=60,
    ignore_result=True,
)
def sla_sweep() -> None:
    sweep(now=timezone.now())


@shared_task(
    name="tickets.tasks.attachment_orphans_remove",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
    ignore_result=True,
)
def attachment_orphans_remove() -> None:
    orphan_files_remove(now=timezone.now())

"""Celery tasks of the outbox: one line each around a service that is safe to run twice.

Acknowledged late, so that a worker lost mid-run leaves the task to be redelivered; the rows it
had claimed come back when their lease runs out, whether or not the task is redelivered.
"""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .delivery import outbox_deliver_and_continue
from .delivery import outbox_prune as prune


@shared_task(
    name="outbox.tasks.outbox_deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    # A run stops claiming after OUTBOX_DELIVER_SECONDS and never starts a message its lease
    # would not cover, so it ends well inside its lease; the limits are only a backstop.
    soft_time_limit=settings.OUTBOX_LEASE_SECONDS + 30,
    time_limit=settings.OUTBOX_LEASE_SECONDS + 60,
    ignore_result=True,
)
def outbox_deliver() -> None:
    outbox_deliver_and_continue(now=timezone.now())


@shared_task(name="outbox.tasks.outbox_prune", acks_late=True, ignore_result=True)
def outbox_prune() -> None:
    prune(now=timezone.now())

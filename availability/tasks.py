"""Celery tasks of the availability app: one line each around a service that is safe to run
twice. Acknowledged late (a worker lost mid-run leaves the task to be redelivered; the notice and
statement rows make the rerun send only what the first did not) and taking ``now`` when they
run.
"""

from celery import shared_task
from django.utils import timezone

from .notices import maintenance_notices_send as send_notices
from .statements import sla_statements_send as send_statements


@shared_task(
    name="availability.tasks.maintenance_notices_send",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=100,
    time_limit=120,
    ignore_result=True,
)
def maintenance_notices_send() -> None:
    send_notices(now=timezone.now())


@shared_task(
    name="availability.tasks.sla_statements_send",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
    ignore_result=True,
)
def sla_statements_send() -> None:
    send_statements(now=timezone.now())

from celery import shared_task
from django.utils import timezone

from .onboarding import onboarding_remind as remind
from .services import heartbeat_record


@shared_task(name="tenants.tasks.beat_heartbeat")
def beat_heartbeat() -> None:
    heartbeat_record(name="beat")


# Acknowledged late so that a worker lost mid-run leaves the task to be redelivered; the
# reminder rows make the rerun send only what the first run did not.
@shared_task(
    name="tenants.tasks.onboarding_remind",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
    ignore_result=True,
)
def onboarding_remind() -> None:
    remind(now=timezone.now())

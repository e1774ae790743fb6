from celery import shared_task
from django.utils import timezone

from .reminders import onboarding_remind as remind


# Acknowledged late so that a worker lost mid-run leaves the task to be redelivered; the
# reminder rows make the rerun send only what the first run did not.
@shared_task(
    name="onboarding.tasks.onboarding_remind",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
    ignore_result=True,
)
def onboarding_remind() -> None:
    remind(now=timezone.now())

"""Celery tasks of the API app: one line each around a service that is safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .services import idempotency_prune
from .webhooks import delivery


@shared_task(
    name="api.tasks.webhooks_deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.WEBHOOK_LEASE_SECONDS + 30,
    time_limit=settings.WEBHOOK_LEASE_SECONDS + 60,
    ignore_result=True,
)
def webhooks_deliver() -> None:
    result = delivery.webhooks_deliver(now=timezone.now())
    if result.more:
        delivery.request_delivery()


@shared_task(name="api.tasks.api_prune", acks_late=True, ignore_result=True)
def api_prune() -> None:
    now = timezone.now()
    delivery.webhooks_prune(now=now)
    idempotency_prune(now=now)

from celery import shared_task

from .services import heartbeat_record


@shared_task(name="tenants.tasks.beat_heartbeat")
def beat_heartbeat() -> None:
    heartbeat_record(name="beat")

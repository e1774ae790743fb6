"""The Celery app. Tasks are autodiscovered from each app's ``tasks.py``; the one beat schedule
lives in settings (``CELERY_BEAT_SCHEDULE``)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def reuse_database_connections(task=None, **kwargs) -> None:
    """Around each task, what Django does around each request: close a connection that is
    broken, in a transaction left open, or older than ``CONN_MAX_AGE``, and health-check the
    others before their next use (``CONN_HEALTH_CHECKS``). Not for a task run in the caller's
    own process (eager), whose connection is the caller's."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()

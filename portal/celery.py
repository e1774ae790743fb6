"""The Celery app. Tasks are autodiscovered from each app's ``tasks.py``; the one beat schedule
lives in settings (``CELERY_BEAT_SCHEDULE``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""The Celery app: one beat schedule, every entry pointing at a task the worker knows."""

from django.conf import settings

from portal.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE, "the beat schedule is empty"
    unknown = {
        name: entry["task"]
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if entry["task"] not in app.tasks
    }
    assert unknown == {}


def test_the_app_reads_the_brokers_settings_from_django():
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE

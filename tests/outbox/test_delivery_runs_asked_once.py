"""A delivery run is asked for once while it waits to start (``lib.worker_runs``): the commits
meanwhile are delivered by that run, and a commit after it started asks again."""

import time

import pytest
from django.core import mail
from django.db import transaction

from lib import worker_runs
from outbox import services
from outbox.models import OutgoingMail
from outbox.services import mail_enqueue

from .helpers import message


@pytest.fixture
def task_requests(monkeypatch, settings):
    """Production mode, with the broker (an edge) replaced by a list of enqueued tasks."""
    settings.OUTBOX_DELIVER_ON_COMMIT = "task"
    requested = []
    from outbox.tasks import outbox_deliver

    monkeypatch.setattr(outbox_deliver, "apply_async", lambda **kw: requested.append(kw))
    return requested


def _commit(n: int) -> None:
    with transaction.atomic():
        mail_enqueue([message(n)])


@pytest.mark.django_db(transaction=True)
def test_commits_while_a_run_waits_ask_once_and_that_run_sends_them_all(task_requests):
    from outbox.tasks import outbox_deliver

    for n in range(1, 6):
        _commit(n)
    assert len(task_requests) == 1  # five commits, one run asked for

    outbox_deliver()  # the run that was asked for (as the worker runs it)
    assert sorted(m.subject for m in mail.outbox) == [f"Mail {n}" for n in range(1, 6)]
    assert set(OutgoingMail.objects.values_list("state", flat=True)) == {"sent"}

    _commit(6)  # after the run started: asks again
    assert len(task_requests) == 2
    outbox_deliver()
    assert len(mail.outbox) == 6


@pytest.mark.django_db(transaction=True)
def test_a_commit_after_the_run_started_asks_again_even_before_it_ends(task_requests):
    _commit(1)
    worker_runs.run_starting(services.RUN_NAME)  # the worker took the task
    _commit(2)
    assert len(task_requests) == 2


@pytest.mark.django_db(transaction=True)
def test_a_refused_enqueue_leaves_the_next_commit_free_to_ask(monkeypatch, settings):
    from kombu.exceptions import OperationalError

    from outbox.tasks import outbox_deliver

    settings.OUTBOX_DELIVER_ON_COMMIT = "task"
    calls = []

    def refused(**kwargs):
        calls.append(kwargs)
        raise OperationalError("refused")

    monkeypatch.setattr(outbox_deliver, "apply_async", refused)
    _commit(1)
    assert len(calls) == 1
    # The broker pause (not the flag) is what holds the next commits back now.
    monkeypatch.setattr(services, "_broker_paused_until", 0.0)
    accepted = []
    monkeypatch.setattr(outbox_deliver, "apply_async", lambda **kw: accepted.append(kw))
    _commit(2)
    assert len(accepted) == 1


def test_without_the_shared_cache_every_request_asks(monkeypatch):
    class Down:
        def add(self, *args, **kwargs):
            raise ConnectionError("cache down")

        def delete(self, *args, **kwargs):
            raise ConnectionError("cache down")

    monkeypatch.setattr(worker_runs, "caches", {worker_runs.CACHE: Down()})
    asked = []
    for _ in range(3):
        assert worker_runs.ask_for_run("outbox", lambda: asked.append(1) or True) is True
    assert len(asked) == 3


def test_the_flag_lapses_so_a_lost_run_holds_requests_back_only_briefly(monkeypatch):
    monkeypatch.setattr(worker_runs, "FLAG_SECONDS", 1)
    asked = []
    assert worker_runs.ask_for_run("outbox", lambda: asked.append(1) or True) is True
    assert worker_runs.ask_for_run("outbox", lambda: asked.append(1) or True) is False
    # The task that was asked for never starts (expired in the queue, say): the flag's own
    # lifetime ends the wait.
    time.sleep(1.2)
    assert worker_runs.ask_for_run("outbox", lambda: asked.append(1) or True) is True
    assert len(asked) == 2

"""lib.broker.send_hint: a hint to the worker never fails the caller, and after the broker
failed once no hint of any kind waits on it for a while."""

import logging

import pytest
from kombu.exceptions import OperationalError

from lib import broker


class Task:
    def __init__(self, fails: bool = False) -> None:
        self.fails = fails
        self.sent: list[dict] = []

    def apply_async(self, **options):
        if self.fails:
            raise OperationalError("connection refused")
        self.sent.append(options)


def test_a_hint_is_sent_with_its_options():
    task = Task()
    assert broker.send_hint(task, what="a run", expires=120) is True
    assert task.sent == [{"expires": 120}]


def test_after_a_failure_no_hint_of_any_kind_is_sent_until_the_pause_ends(monkeypatch, caplog):
    clock = [1000.0]
    monkeypatch.setattr(broker.time, "monotonic", lambda: clock[0])
    with caplog.at_level(logging.WARNING, logger="lib.broker"):
        assert broker.send_hint(Task(fails=True), what="mail delivery") is False
    assert "Could not enqueue mail delivery" in caplog.text

    other = Task()
    assert broker.send_hint(other, what="webhook delivery") is False
    clock[0] += broker.PAUSE_SECONDS - 1
    assert broker.send_hint(other, what="webhook delivery") is False
    assert other.sent == []

    clock[0] += 1
    assert broker.send_hint(other, what="webhook delivery") is True
    assert len(other.sent) == 1


@pytest.mark.parametrize("error", [OperationalError("down"), TimeoutError(), OSError("reset")])
def test_no_broker_error_reaches_the_caller(error):
    class Broken:
        def apply_async(self, **options):
            raise error

    assert broker.send_hint(Broken(), what="a run") is False

"""The embedded broker works across processes: a task queued by one process runs in a worker.

This is the set-up ``make run`` uses when ``REDIS_URL`` is not set (kombu's filesystem
transport under ``PORTAL_VAR_DIR``). Everything runs in a scratch folder with its own SQLite
file, so neither the test database nor a shared Redis is touched.
"""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
# What the test process has but the portal's own processes would not.
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")


@pytest.fixture
def portal_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="1", PORTAL_VAR_DIR=str(tmp_path))
    return env


def _run(env, *args):
    result = subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _heartbeats(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM tenants_heartbeat")]


def test_a_task_queued_by_another_process_runs_in_the_worker(portal_env, tmp_path):
    _run(portal_env, "manage.py", "migrate", "--noinput", "-v0")
    database = tmp_path / "portal.sqlite3"
    assert _heartbeats(database) == []

    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo"]
        + ["--without-gossip", "--without-mingle", "--loglevel", "INFO"],
        cwd=BASE_DIR,
        env=portal_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _run(
            portal_env,
            "manage.py",
            "shell",
            "-c",
            "from tenants.tasks import beat_heartbeat; beat_heartbeat.delay()",
        )
        deadline = time.monotonic() + 30
        while _heartbeats(database) == [] and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)

    assert _heartbeats(database) == ["beat"], output
    assert "tenants.tasks.beat_heartbeat" in output
    # Nothing is left behind in the queue folder once the worker has acknowledged the task.
    assert list((tmp_path / "celery" / "queue").iterdir()) == []

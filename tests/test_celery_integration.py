"""A real Celery worker and a real beat against Redis send an SLA reminder mail.

The worker and beat are separate processes with the portal's own settings, pointed at this test
run's database (pytest-django's test database; ``transaction=True`` commits the data so that
they see it), at Redis (``REDIS_URL``, in CI the real one) on a queue of their own, and at a
folder that receives mail as files. Beat is told to sweep every second instead of every minute.
Skipped, with the reason, where no Redis answers.
"""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from tickets import services
from tickets.models import TicketEvent

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
# What the test process has but the portal's own processes must not inherit.
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_SETTINGS_MODULE")

pytestmark = [pytest.mark.celery_integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:  # any failure to answer means: no Redis here
        pytest.skip(f"no Redis reachable at {REDIS_URL} ({exc}); CI runs this against Redis")
    return REDIS_URL


def _database_url() -> str:
    """The URL of the database this test writes to, as the portal's settings read it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        credentials = quote(db["USER"] or "")
        if db.get("PASSWORD"):
            credentials += ":" + quote(db["PASSWORD"])
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        return f"postgres://{credentials}@{host}/{db['NAME']}"
    pytest.skip(f"no URL for a {connection.vendor} test database")


def _start(env, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", *args, "--loglevel", "INFO"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _start_worker_and_beat(redis_url: str, tmp_path: Path, email_url: str):
    """A worker and beat with the portal's settings on this test's database, sweeping every
    second, on a queue of this run alone (another worker on the same Redis must not take its
    tasks)."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DEBUG="1",
        PORTAL_VAR_DIR=str(tmp_path),
        DATABASE_URL=_database_url(),
        REDIS_URL=redis_url,
        CELERY_QUEUE=f"integration-{uuid.uuid4().hex}",
        SLA_SWEEP_INTERVAL_SECONDS="1",
        EMAIL_URL=email_url,
    )
    worker = _start(
        env, "worker", "--pool", "solo", "--without-gossip", "--without-mingle", "-Q",
        env["CELERY_QUEUE"],
    )  # fmt: skip
    beat = _start(env, "beat", "--schedule", str(tmp_path / "celerybeat-schedule"))
    return worker, beat


def _stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def test_worker_and_beat_send_an_sla_warning_by_mail(redis_url, tmp_path, org_a, engineers):
    # A P1 filed 50 minutes ago: 80 % of its 60-minute initial response is used.
    ticket = services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="incident",
        priority="P1",
        subject="All queues down",
        description="No calls are routed.",
        now=timezone.now() - timedelta(minutes=50),
    )
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker, beat = _start_worker_and_beat(redis_url, tmp_path, f"filemail:///{mail_dir}")
    try:
        deadline = time.monotonic() + 90
        while not any(mail_dir.iterdir()) and time.monotonic() < deadline:
            if worker.poll() is not None or beat.poll() is not None:
                break
            time.sleep(0.5)
        time.sleep(3)  # a few more sweeps, which must find nothing left to send
    finally:
        worker_log, beat_log = _stop(worker), _stop(beat)
    mails = [path.read_text() for path in sorted(mail_dir.iterdir())]

    logs = f"--- worker\n{worker_log}\n--- beat\n{beat_log}"
    assert "Sending due task sla-sweep (tickets.tasks.sla_sweep)" in beat_log, logs
    assert len(mails) == 1, logs
    (message,) = mails
    assert f"Subject: [{ticket.number}] SLA warning: initial response due" in message, logs
    assert f"To: {engineers['L1'].email}" in message, logs
    # Every later sweep found the warning already sent: one event, one mail.
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_warning").count() == 1


def _sessions_opened(database: str) -> int:
    """Connections PostgreSQL has counted to ``database`` (``pg_stat_database.sessions``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", [database])
        return cursor.fetchone()[0]


def test_a_worker_keeps_its_database_connection_from_task_to_task(redis_url, tmp_path):
    """Celery's Django fixup closed the connection around every task, so each task paid for a
    new PostgreSQL backend; the worker now keeps it as a web process does (``CONN_MAX_AGE``)."""
    if connection.vendor != "postgresql":
        pytest.skip("connections are kept on PostgreSQL; SQLite opens a file per use")
    database = connection.settings_dict["NAME"]
    before = _sessions_opened(database)
    worker, beat = _start_worker_and_beat(redis_url, tmp_path, "dummymail://")
    try:
        time.sleep(12)  # a sweep a second, and the other periodic tasks that fall due
    finally:
        worker_log, beat_log = _stop(worker), _stop(beat)
    # Each backend counts its session when it starts; wait until the worker's have gone.
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [database],
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.2)
    tasks_run = worker_log.count(" succeeded in ")
    opened = _sessions_opened(database) - before

    logs = f"--- worker\n{worker_log}\n--- beat\n{beat_log}"
    assert tasks_run >= 8, logs
    # The worker's one connection (and one of beat's, if it reads the database), not one a task.
    assert opened <= 3, f"{opened} connections for {tasks_run} tasks\n{logs}"

"""What the HTTP benchmarks share: a database of their own, the portal's management commands,
gunicorn with production settings on a free loopback port, and timing. Sessions are
``bench.cluster.PortalClient`` (sign-in with the second factor included).

Only loopback addresses are used; every process this starts is stopped by its caller.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.cluster import (  # free_port and log are the benchmarks' too
    ENROL_AUTHENTICATORS,
    PortalClient,
    free_port,  # noqa: F401
    log,
    percentile,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
PYTHON = sys.executable
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def database_url(db: str, name: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{BENCH_DIR / f'{name}.sqlite3'}"
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def environment(db: str, name: str) -> dict[str, str]:
    """Production settings (``DEBUG=0``) but plain HTTP, on the bench's own database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": database_url(db, name),
        "PORTAL_VAR_DIR": str(BENCH_DIR / f"{name}-{db}"),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)


def manage_output(env: dict[str, str], code: str) -> str:
    """The last line ``code`` prints in ``manage.py shell``."""
    done = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "shell", "--no-imports", "-c", code],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def prepare_database(db: str, name: str, *, fresh: bool) -> dict[str, str]:
    """Create (or with ``fresh`` recreate) the bench database and migrate it."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    env = environment(db, name)
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and fresh:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = None
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    elif fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{BENCH_DIR / f'{name}.sqlite3'}{suffix}").unlink(missing_ok=True)
    log(f"Migrating {database_url(db, name)}")
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    return env


def clone_database(db: str, source: str, target: str) -> dict[str, str]:
    """``target`` as an exact copy of the prepared ``source`` (PostgreSQL: ``CREATE DATABASE
    ... TEMPLATE``, statistics included; SQLite: a file copy), so that every run starts from
    the same rows instead of the rows earlier runs added."""
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    else:
        import shutil
        import sqlite3

        with sqlite3.connect(BENCH_DIR / f"{source}.sqlite3") as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for suffix in ("-wal", "-shm"):
            Path(f"{BENCH_DIR / f'{target}.sqlite3'}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(BENCH_DIR / f"{source}.sqlite3", BENCH_DIR / f"{target}.sqlite3")
    log(f"Copied {source} to {target}")
    return environment(db, target)


def load_tickets(env: dict[str, str], tickets: int, *extra: str) -> None:
    """``seed_load`` until the database holds ``tickets`` tickets."""
    have = int(
        manage_output(env, "from tickets.models import Ticket; print(Ticket.objects.count())")
    )
    if have >= tickets:
        log(f"Reusing {have} tickets (--fresh to reload)")
        return
    log(f"Loading {tickets - have} tickets with seed_load ({have} there already)")
    started = time.perf_counter()
    manage(env, "seed_load", "--tickets", str(tickets - have), "--seed", str(2026 + have), *extra)
    log(f"  seed_load took {time.perf_counter() - started:.0f} s")


def analyse(env: dict[str, str]) -> None:
    """Fresh statistics and visibility map, as autovacuum would leave them after a bulk load."""
    manage_output(
        env,
        "from django.db import connection\n"
        "connection.cursor().execute("
        "'VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'ANALYZE')\n"
        "print('ok')",
    )


def staff_user(
    env: dict[str, str], email: str, password: str, *, group: str, level: str = ""
) -> None:
    """Create (or reset) a support engineer or manager to sign in as, with the authenticator
    ``PortalClient.sign_in`` computes codes for."""
    manage_output(
        env,
        "from tenants.models import User\n"
        "from tenants.roles import ensure_role_groups\n"
        "groups = ensure_role_groups()\n"
        f"user, _ = User.objects.get_or_create(email={email!r}, "
        f"defaults={{'full_name': 'Bench {group}', 'support_level': {level!r}}})\n"
        f"user.set_password({password!r}); user.save()\n"
        f"user.groups.add(groups[{group!r}])\n"
        "print(user.pk)",
    )
    manage_output(env, ENROL_AUTHENTICATORS)


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def start_gunicorn(env: dict[str, str], port: int, workers: int = 4) -> subprocess.Popen:
    """gunicorn as deployed (``gunicorn.conf.py``), on ``port``, without the access log."""
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "portal.wsgi",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        env={
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_ACCESSLOG": "",
        },
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit("gunicorn exited before it listened") from None
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start listening within 30 s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def time_path(
    session: PortalClient, path: str, requests: int, *, warm: int = 5, check: str = ""
) -> dict:
    """Median, p95 and max milliseconds of ``requests`` sequential GETs after ``warm`` ones."""
    for _ in range(warm):
        status, _, body = session.get(path)
    if status != 200 or (check and check not in body):
        raise SystemExit(f"{path} answered {status}" + (f" without {check!r}" if check else ""))
    timings, errors = [], 0
    for _ in range(requests):
        started = time.perf_counter()
        status, _, _ = session.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        errors += status != 200
    return {
        "body": body,
        "median": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "max": max(timings),
        "errors": errors,
    }


def query_counts(env: dict[str, str], email: str, paths: list[str]) -> list[int]:
    """How many queries each page costs, warm, counted in a Django test client."""
    code = (
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "from django.db import connection\n"
        "from tenants.models import User\n"
        "from django_otp import DEVICE_ID_SESSION_KEY\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "client = Client()\n"
        f"user = User.objects.get(email={email!r})\n"
        "client.force_login(user)\n"
        # Signed in with the second factor too, as the two-factor page leaves a session.
        "session = client.session\n"
        "device = TOTPDevice.objects.filter(user=user, confirmed=True).first()\n"
        "if device is not None:\n"
        "    session[DEVICE_ID_SESSION_KEY] = device.persistent_id\n"
        "    session.save()\n"
        "counts = []\n"
        f"for path in {paths!r}:\n"
        "    client.get(path)\n"
        "    with CaptureQueriesContext(connection) as queries:\n"
        "        assert client.get(path).status_code == 200, path\n"
        "    counts.append(len(queries.captured_queries))\n"
        "print(' '.join(map(str, counts)))\n"
    )
    return [int(n) for n in manage_output(env, code).split()]

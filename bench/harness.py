"""What the HTTP benchmarks share: a database of their own, the portal's management commands,
gunicorn with production settings on a free loopback port, a signed-in session, and timing.

Only loopback addresses are used; every process this starts is stopped by its caller.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
PYTHON = sys.executable
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def log(message: str) -> None:
    print(message, flush=True)


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
    """Create (or reset) a support engineer or manager to sign in as."""
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


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int = 2) -> subprocess.Popen:
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        env=env,
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


class Session:
    """One keep-alive connection with the cookies the server sets."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def sign_in(self, email: str, password: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise SystemExit(f"login page answered {status}")
        form = urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": email, "password": password}
        )
        status, _ = self.request("POST", "/accounts/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"sign-in failed with {status}")

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_path(
    session: Session, path: str, requests: int, *, warm: int = 5, check: str = ""
) -> dict:
    """Median, p95 and max milliseconds of ``requests`` sequential GETs after ``warm`` ones."""
    for _ in range(warm):
        status, body = session.request("GET", path)
    if status != 200 or (check and check not in body):
        raise SystemExit(f"{path} answered {status}" + (f" without {check!r}" if check else ""))
    timings, errors = [], 0
    for _ in range(requests):
        started = time.perf_counter()
        status, _ = session.request("GET", path)
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
        "client = Client()\n"
        f"client.force_login(User.objects.get(email={email!r}))\n"
        "counts = []\n"
        f"for path in {paths!r}:\n"
        "    client.get(path)\n"
        "    with CaptureQueriesContext(connection) as queries:\n"
        "        assert client.get(path).status_code == 200, path\n"
        "    counts.append(len(queries.captured_queries))\n"
        "print(' '.join(map(str, counts)))\n"
    )
    return [int(n) for n in manage_output(env, code).split()]

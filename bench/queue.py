"""How fast the engineer queue answers over HTTP with 100,000 tickets.

Run: ``.venv/bin/python bench/queue.py [--db sqlite|postgres] [--tickets 100000]``.

It uses a database of its own (``var/bench/queue.sqlite3``, or the PostgreSQL database
``portal_bench`` on 127.0.0.1, created here), migrates it, loads the tickets with ``seed_load``
(once: a later run reuses them unless ``--fresh``), creates an L1 engineer and starts gunicorn
on a free port of 127.0.0.1 with production settings (``DEBUG=0``; only HTTPS redirects and
secure cookies are off, since the bench speaks plain HTTP). It signs in through the login form,
then times the default queue page and filtered pages sequentially (median and p95 of
``--requests`` requests each, after a warm-up) and, if ``wrk`` is installed, runs
``wrk -c8 -d30s`` on the default page with the session cookie.

Targets on a 2-core machine: PostgreSQL median <= 30 ms and p95 <= 100 ms per page; SQLite
p95 <= 150 ms. The exit status is 1 if a target or a request fails.
"""

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, where "queue" would shadow the
# standard library module of that name (which psycopg and others import).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import http.client  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
PYTHON = sys.executable
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DB = "portal_bench"
ENGINEER_EMAIL = "bench-l1@support.example"
ENGINEER_PASSWORD = "bench-queue-password-1"

# (label, query string). The engineer works at L1, so the plain page is the L1 queue.
PAGES = [
    ("default (L1 queue)", ""),
    (
        "unassigned P1/P2, all levels",
        urlencode(
            [("level", ""), ("assignee", "unassigned"), ("priority", "P1"), ("priority", "P2")]
        ),
    ),
    (
        "breached at L1, 100 rows",
        urlencode([("level", "L1"), ("breached", "yes"), ("per_page", 100)]),
    ),
    ("waiting for customer at L1", urlencode([("level", "L1"), ("status", "waiting")])),
    ("search 'calls', all levels", urlencode([("level", ""), ("q", "calls")])),
]
TARGETS = {
    "postgres": {"median": 30.0, "p95": 100.0},
    "sqlite": {"median": None, "p95": 150.0},
}


def log(message: str) -> None:
    print(message, flush=True)


def database_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{BENCH_DIR / 'queue.sqlite3'}"
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_BENCH_DB}"


def environment(db: str) -> dict[str, str]:
    var_dir = BENCH_DIR / db
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": database_url(db),
        "PORTAL_VAR_DIR": str(var_dir),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)


def manage_output(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "shell", "--no-imports", "-c", code],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def prepare_postgres(fresh: bool) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [PG_BENCH_DB]
        ).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{PG_BENCH_DB}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{PG_BENCH_DB}"')


def prepare(db: str, tickets: int, fresh: bool) -> dict[str, str]:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    env = environment(db)
    if db == "postgres":
        prepare_postgres(fresh)
    elif fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{BENCH_DIR / 'queue.sqlite3'}{suffix}").unlink(missing_ok=True)
    log(f"Migrating {database_url(db)}")
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    have = int(
        manage_output(env, "from tickets.models import Ticket; print(Ticket.objects.count())")
    )
    if have < tickets:
        log(f"Loading {tickets - have} tickets with seed_load ({have} there already)")
        started = time.perf_counter()
        manage(env, "seed_load", "--tickets", str(tickets - have), "--seed", str(2026 + have))
        log(f"  seed_load took {time.perf_counter() - started:.0f} s")
    else:
        log(f"Reusing {have} tickets (--fresh to reload)")
    code = (
        "from tenants.models import User, SupportLevel\n"
        "from tenants.roles import ensure_role_groups, ENGINEERS_GROUP\n"
        "groups = ensure_role_groups()\n"
        f"user, _ = User.objects.get_or_create(email={ENGINEER_EMAIL!r}, "
        "defaults={'full_name': 'Bench Engineer', 'support_level': SupportLevel.L1})\n"
        f"user.set_password({ENGINEER_PASSWORD!r}); user.save()\n"
        "user.groups.add(groups[ENGINEERS_GROUP])\n"
        "from django.db import connection\n"
        "cursor = connection.cursor()\n"
        # Fresh statistics and visibility map, as autovacuum would leave them after a bulk load.
        "cursor.execute('VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'ANALYZE')\n"
        "from tickets.models import Ticket\n"
        "print(Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES).count())\n"
    )
    log(f"Engineer {ENGINEER_EMAIL} ready; {manage_output(env, code)} open tickets")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    return env


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
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


class Session:
    """One keep-alive connection with the cookies the server sets."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
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

    def sign_in(self) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise SystemExit(f"login page answered {status}")
        form = urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": ENGINEER_EMAIL,
                "password": ENGINEER_PASSWORD,
            }
        )
        status, _ = self.request("POST", "/accounts/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"sign-in failed with {status}")

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_page(session: Session, query: str, requests: int) -> dict[str, float]:
    path = f"/queue/?{query}" if query else "/queue/"
    for _ in range(20):
        status, body = session.request("GET", path)
    if status != 200 or 'id="queue-results"' not in body:
        raise SystemExit(f"{path} answered {status} without the queue")
    rows = body.count("data-ticket=")
    timings = []
    errors = 0
    for _ in range(requests):
        started = time.perf_counter()
        status, _ = session.request("GET", path)
        timings.append((time.perf_counter() - started) * 1000)
        errors += status != 200
    return {
        "rows": rows,
        "median": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "max": max(timings),
        "errors": errors,
    }


# wrk counts redirects as successes; an expired session would redirect every request to the
# sign-in page, so anything but a 200 is counted here.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function response(status, headers, body) if status ~= 200 then not_ok = not_ok + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("not_ok") end
  io.write(string.format("Responses other than 200: %d\\n", total))
end
"""


def run_wrk(port: int, cookie: str, seconds: int) -> dict[str, float] | None:
    wrk = shutil.which("wrk")
    if not wrk:
        log("wrk is not installed (apt-get install -y wrk): throughput not measured")
        return None
    script = BENCH_DIR / "count-non-200.lua"
    script.write_text(WRK_SCRIPT)
    done = subprocess.run(
        [
            wrk,
            "-t2",
            "-c8",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            "-H",
            f"Cookie: {cookie}",
            f"http://127.0.0.1:{port}/queue/",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = done.stdout
    log(out.rstrip())
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    not_ok = re.search(r"Responses other than 200: (\d+)", out)
    if not_ok is None:
        raise SystemExit("wrk did not report its response count")
    errors = int(not_ok.group(1)) + (int(non_2xx.group(1)) if non_2xx else 0)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {"rate": rate, "total": total, "errors": errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--wrk-seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (4 threads each)")
    parser.add_argument("--fresh", action="store_true", help="drop and reload the bench database")
    args = parser.parse_args()

    env = prepare(args.db, args.tickets, args.fresh)
    port = free_port()
    log(f"Starting gunicorn on 127.0.0.1:{port} ({args.workers} workers x 4 threads)")
    server = start_gunicorn(env, port, args.workers)
    failed = False
    try:
        session = Session(port)
        session.sign_in()
        target = TARGETS[args.db]
        log(f"\n{args.db}, {args.tickets} tickets, {args.requests} sequential requests per page")
        log(f"load average before: {load_average()} (other processes share these cores)")
        log(f"{'page':34} {'rows':>4} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'errors':>6}")
        for label, query in PAGES:
            result = time_page(session, query, args.requests)
            misses = [
                name
                for name in ("median", "p95")
                if target[name] is not None and result[name] > target[name]
            ]
            failed |= bool(misses) or result["errors"] > 0
            log(
                f"{label:34} {result['rows']:>4} {result['median']:>10.1f} {result['p95']:>8.1f} "
                f"{result['max']:>8.1f} {result['errors']:>6}"
                + (f"  MISSED {', '.join(misses)}" if misses else "")
            )
        log(f"targets: {target}")
        if args.wrk_seconds > 0:
            log(f"\nwrk -c8 -d{args.wrk_seconds}s on the default page")
            wrk = run_wrk(port, session.cookie_header(), args.wrk_seconds)
            if wrk is not None:
                log(f"throughput {wrk['rate']:.1f} requests/s, {wrk['errors']} errors")
                failed |= wrk["errors"] > 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    log("FAILED" if failed else "OK: all targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

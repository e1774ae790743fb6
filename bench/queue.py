"""How fast the engineer queue answers over HTTP with 100,000 tickets.

Run: ``.venv/bin/python bench/queue.py [--db sqlite|postgres] [--tickets 100000]``.

It uses a database of its own (``var/bench/portal_bench.sqlite3``, or the PostgreSQL database
``portal_bench`` on 127.0.0.1, created here), migrates it, loads the tickets with ``seed_load``
(40 % of them open, as on a busy day; once: a later run reuses them unless ``--fresh``),
creates an L1 engineer and starts gunicorn
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
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

from bench.cluster import PortalClient  # noqa: E402
from bench.harness import (  # noqa: E402
    BENCH_DIR,
    analyse,
    free_port,
    load_average,
    load_tickets,
    log,
    manage_output,
    prepare_database,
    staff_user,
    start_gunicorn,
    stop,
    time_path,
)

PG_BENCH_DB = "portal_bench"
ENGINEER_EMAIL = "bench-l1@support.example"
ENGINEER_PASSWORD = "bench-queue-password-1"
# Like a queue on a busy day: 40 % of the tickets open (seed_load --open-share).
OPEN_SHARE = "0.4"

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


def prepare(db: str, tickets: int, fresh: bool) -> dict[str, str]:
    env = prepare_database(db, PG_BENCH_DB, fresh=fresh)
    load_tickets(env, tickets, "--open-share", OPEN_SHARE)
    staff_user(env, ENGINEER_EMAIL, ENGINEER_PASSWORD, group="Support engineers", level="L1")
    analyse(env)
    open_count = manage_output(
        env,
        "from tickets.models import Ticket\n"
        "print(Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES).count())",
    )
    log(f"Engineer {ENGINEER_EMAIL} ready; {open_count} open tickets")
    return env


def time_page(session: PortalClient, query: str, requests: int) -> dict[str, float]:
    path = f"/queue/?{query}" if query else "/queue/"
    result = time_path(session, path, requests, warm=20, check='id="queue-results"')
    result["rows"] = result.pop("body").count("data-ticket=")
    return result


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
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn workers (gunicorn.conf.py's threads each)"
    )
    parser.add_argument("--fresh", action="store_true", help="drop and reload the bench database")
    args = parser.parse_args()

    env = prepare(args.db, args.tickets, args.fresh)
    port = free_port()
    log(
        f"Starting gunicorn on 127.0.0.1:{port} ({args.workers} workers, gunicorn.conf.py's threads)"
    )
    server = start_gunicorn(env, port, args.workers)
    failed = False
    try:
        session = PortalClient(port)
        session.sign_in(ENGINEER_EMAIL, ENGINEER_PASSWORD)
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
            cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
            wrk = run_wrk(port, cookie, args.wrk_seconds)
            if wrk is not None:
                log(f"throughput {wrk['rate']:.1f} requests/s, {wrk['errors']} errors")
                failed |= wrk["errors"] > 0
    finally:
        stop(server)
    log("FAILED" if failed else "OK: all targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

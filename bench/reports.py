"""How fast the SLA reports answer over HTTP with 100,000 tickets of 13 months' history.

Run: ``.venv/bin/python bench/reports.py [--db sqlite|postgres] [--tickets 100000]
[--months 13] [--requests 20] [--fresh]``.

It uses a database of its own (``var/bench/portal_bench_reports_<months>m.sqlite3``, or the
PostgreSQL database of that name on 127.0.0.1), migrates it, loads ``--tickets`` tickets spread
over ``--months`` months with ``seed_load`` (once; ``--fresh`` reloads), creates a support
manager and starts gunicorn with production settings on a free loopback port. It signs in and
times, sequentially, 20 requests each of: the last full month's compliance, the last twelve
months' compliance (one custom period), the month's drill-down by customer and the month's
breach list; and counts each page's queries. It prints the plans of the compliance aggregate
for a month and for twelve months, which must read an index alone: on PostgreSQL a month is a
range of ``target_report_due`` and twelve months the whole of ``target_report_groups`` in the
groups' order (no sort); SQLite, with its statistics, skip-scans ``target_report_groups``.

A month's cost must follow the targets due that month, not the length of the history: run it
with ``--months 36 --tickets 277000`` (the same monthly volume) and compare the one-month time.

Targets on a 2-core machine: at most 10 queries per page; one month p95 <= 150 ms; twelve
months p95 <= 500 ms, on both databases. The exit status is 1 if a target fails.
"""

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
from datetime import date, timedelta  # noqa: E402

from bench.cluster import PortalClient  # noqa: E402
from bench.harness import (  # noqa: E402
    analyse,
    free_port,
    load_average,
    load_tickets,
    log,
    manage_output,
    prepare_database,
    query_counts,
    staff_user,
    start_gunicorn,
    stop,
    time_path,
)

MANAGER_EMAIL = "bench-manager@support.example"
MANAGER_PASSWORD = "bench-reports-password-1"
MAX_QUERIES = 10
TARGETS_P95 = {"one month": 150.0, "twelve months": 500.0, "drill-down": 150.0, "breaches": 150.0}


def _months_before(today: date, count: int) -> tuple[date, date]:
    """First and last day of the ``count`` full months before ``today``'s month."""
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    for _ in range(count - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, last


def pages(today: date) -> list[tuple[str, str]]:
    first, last = _months_before(today, 1)
    year_first, _ = _months_before(today, 12)
    month = f"period={first:%Y-%m}"
    return [
        ("one month", f"/reports/sla/?{month}"),
        ("twelve months", f"/reports/sla/?start={year_first:%Y-%m-%d}&end={last:%Y-%m-%d}"),
        ("drill-down", f"/reports/sla/by/organisation/?{month}"),
        ("breaches", f"/reports/sla/breaches/?{month}"),
    ]


PLAN = """
from datetime import timedelta
from django.db import connection
from django.utils import timezone
from reports import periods
from reports.compliance import compliance_rows
from sla.services import vendor_time_zone
tz = vendor_time_zone()
now = timezone.now()
month = periods.last_full_month(now.astimezone(tz).date())
start, end = month.bounds(tz)
year_start = start - timedelta(days=334)
for label, since in (("month", start), ("twelve months", year_start)):
    rows = compliance_rows(start=since, end=end, now=now)
    plan = rows.explain(analyze=True) if connection.vendor == "postgresql" else rows.explain()
    print(f"-- {label}:", plan.replace(chr(10), " | "), end=" || ")
print()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=13, help="months of history")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--fresh", action="store_true", help="drop and reload the bench database")
    args = parser.parse_args()

    name = f"portal_bench_reports_{args.months}m"
    env = prepare_database(args.db, name, fresh=args.fresh)
    load_tickets(env, args.tickets, "--days", str(round(args.months * 30.44)))
    staff_user(env, MANAGER_EMAIL, MANAGER_PASSWORD, group="Support managers")
    analyse(env)
    targets = manage_output(
        env, "from tickets.models import TicketTarget; print(TicketTarget.objects.count())"
    )
    today = date.today()
    urls = pages(today)
    port = free_port()
    server = start_gunicorn(env, port)  # collects the static files the pages need first
    failed = False
    try:
        counts = query_counts(env, MANAGER_EMAIL, [path for _, path in urls])
        session = PortalClient(port)
        session.sign_in(MANAGER_EMAIL, MANAGER_PASSWORD)
        log(
            f"\n{args.db}: {args.tickets:,} tickets over {args.months} months ({int(targets):,} "
            f"target rows), {args.requests} sequential requests per page"
        )
        log(f"load average before: {load_average()} (other processes share these cores)")
        log(
            f"{'page':16} {'queries':>7} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'errors':>6}"
        )
        for (label, path), queries in zip(urls, counts, strict=True):
            result = time_path(session, path, args.requests, check="report-table")
            misses = []
            if queries > MAX_QUERIES:
                misses.append("queries")
            if result["p95"] > TARGETS_P95[label]:
                misses.append("p95")
            failed |= bool(misses) or result["errors"] > 0
            log(
                f"{label:16} {queries:>7} {result['median']:>10.1f} {result['p95']:>8.1f} "
                f"{result['max']:>8.1f} {result['errors']:>6}"
                + (f"  MISSED {', '.join(misses)}" if misses else "")
            )
        log(f"targets: p95 {TARGETS_P95} ms, at most {MAX_QUERIES} queries")
    finally:
        stop(server)
    log("\nPlans of the compliance aggregate:")
    for plan in manage_output(env, PLAN).split(" || "):
        for line in plan.split(" | "):
            log(f"  {line}")
    log("FAILED" if failed else "OK: all targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

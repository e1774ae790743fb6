"""How fast the availability pages answer over HTTP with 1,000 tenants and five years of data.

Run: ``.venv/bin/python bench/availability.py [--db sqlite|postgres] [--requests 100] [--fresh]``.

It uses a database of its own (``var/bench/portal_bench_availability.sqlite3``, or the
PostgreSQL database ``portal_bench_availability`` on 127.0.0.1, created here), migrates it and loads, once (a later
run reuses the data unless ``--fresh``):

- 1,000 tenants of 250 organisations in the four data centres, provisioned over five years;
- five years of weekly maintenance windows in every region as stored rows (a fifth marked used,
  a few moved or cancelled) and four quarterly windows a year per region;
- random outages: about one and a half per tenant and month (10 % partial, 5 to 240 minutes), a
  handful still ongoing.

It counts the queries of each page with Django's test client on that database, then starts
gunicorn on a free port of 127.0.0.1 with production settings (``DEBUG=0``; HTTPS redirects
and secure cookies off, since the bench speaks plain HTTP), signs in through the login form
with the second factor and times each page sequentially (median and p95 of ``--requests`` requests, after a warm-up):
the all-tenants month page (last month, this month so far, per organisation) as a support
manager, the status page as a manager (every region) and as a customer.

Targets (issue 12): at most 10 queries and p95 <= 300 ms per page on both databases, on a
2-core machine shared with other work. The query target is the count of a person's request
(support staff signed in with their second factor, whose device is one of them); the first
request of a fresh process also fills the caches that every request then shares for a few
seconds (the navigation's overdue and undelivered-mail counts, the organisation filter's
list), and that count is printed beside it. The exit status is 1 if a target or a request fails.
"""

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, where this file would shadow the
# ``availability`` app and ``bench/queue.py`` the standard library's ``queue``.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cluster import PortalClient  # noqa: E402
from bench.harness import (  # noqa: E402
    ENROL_AUTHENTICATORS,
    PYTHON,
    ROOT,
    free_port,
    load_average,
    log,
    manage,
    manage_output,
    prepare_database,
    start_gunicorn,
    stop,
    time_path,
)

PG_BENCH_DB = "portal_bench_availability"
MANAGER_EMAIL = "bench-manager@support.example"
CUSTOMER_EMAIL = "bench-customer@org-0.example"
PASSWORD = "bench-availability-password-1"
TENANTS = 1000
ORGANISATIONS = 250
YEARS = 5
MAX_QUERIES = 10
P95_TARGET_MS = 300.0


# --- inside Django (run as a subprocess with the bench environment) ------------------------------


def _load(seed: int) -> None:
    """Fill the bench database (called with ``--inside load``)."""
    import random
    from datetime import UTC, datetime, timedelta

    from django.db import transaction
    from django.utils import timezone

    from availability import selectors, services
    from availability.models import MaintenanceWindow, Outage
    from sla.availability import Span, weekly_occurrences
    from tenants.models import ContactRole, DataCentre, Organisation, Tenant, User
    from tenants.roles import MANAGERS_GROUP, ensure_role_groups

    rng = random.Random(seed)
    now = timezone.now()
    start = now - timedelta(days=365 * YEARS)
    groups = ensure_role_groups()
    services.availability_defaults_ensure()
    if Tenant.objects.filter(name__startswith="bench-").count() >= TENANTS:
        log("Reusing the loaded data (--fresh to reload)")
    else:
        with transaction.atomic():
            started = time.perf_counter()
            organisations = Organisation.objects.bulk_create(
                Organisation(name=f"Bench organisation {n}", slug=f"bench-org-{n}")
                for n in range(ORGANISATIONS)
            )
            centres = list(DataCentre)
            tenants = []
            for n in range(TENANTS):
                organisation = organisations[n % ORGANISATIONS]
                provisioned = start + timedelta(minutes=rng.randrange(int(365 * YEARS * 24 * 60)))
                tenants.append(
                    Tenant(
                        organisation=organisation,
                        name=f"bench-{n}",
                        kind=Tenant.Kind.PRODUCTION if n % 2 == 0 else Tenant.Kind.TEST,
                        data_centre=centres[(n // ORGANISATIONS + n) % len(centres)],
                        provisioned_at=provisioned,
                    )
                )
            tenants = Tenant.objects.bulk_create(tenants)

            windows = []
            rules = selectors.weekly_rules()
            for region, region_rules in rules.items():
                for rule in region_rules:
                    for span in weekly_occurrences(rule, Span(start, now + timedelta(days=60))):
                        roll = rng.random()
                        moved = roll < 0.02 and span.start > now
                        shift = timedelta(hours=1) if moved else timedelta(0)
                        windows.append(
                            MaintenanceWindow(
                                region=region,
                                kind="weekly",
                                planned_starts_at=span.start,
                                planned_ends_at=span.end,
                                starts_at=span.start + shift,
                                ends_at=span.end,
                                used=roll < 0.2,
                                cancelled_at=span.start - timedelta(days=3)
                                if 0.2 <= roll < 0.22
                                else None,
                            )
                        )
                for year in range(start.year + 1, now.year + 1):
                    for month in (2, 5, 8, 11):
                        first = datetime(year, month, 10, 21, tzinfo=UTC)
                        windows.append(
                            MaintenanceWindow(
                                region=region,
                                kind="quarterly",
                                planned_starts_at=first,
                                planned_ends_at=first + timedelta(hours=53),
                                starts_at=first,
                                ends_at=first + timedelta(hours=53),
                                used=True,
                            )
                        )
            MaintenanceWindow.objects.bulk_create(windows, batch_size=2000)

            outages = []
            for tenant in tenants:
                months = int((now - tenant.provisioned_at).days / 30)
                for _ in range(int(months * 1.5)):
                    begins = tenant.provisioned_at + timedelta(
                        minutes=rng.randrange(
                            max(int((now - tenant.provisioned_at).total_seconds() // 60) - 300, 1)
                        )
                    )
                    outages.append(
                        Outage(
                            tenant=tenant,
                            starts_at=begins,
                            ends_at=begins + timedelta(minutes=rng.randint(5, 240)),
                            scope="partial" if rng.random() < 0.1 else "full",
                            cause="Bench outage.",
                        )
                    )
            for tenant in rng.sample(tenants, 5):
                outages.append(
                    Outage(
                        tenant=tenant,
                        starts_at=now - timedelta(minutes=rng.randint(5, 90)),
                        scope="full",
                        cause="Ongoing bench outage.",
                    )
                )
            Outage.objects.bulk_create(outages, batch_size=5000)
            log(
                f"Loaded {len(tenants)} tenants, {len(windows)} windows and {len(outages)} "
                f"outages in {time.perf_counter() - started:.0f} s"
            )
    manager, _ = User.objects.get_or_create(
        email=MANAGER_EMAIL, defaults={"full_name": "Bench Manager"}
    )
    manager.set_password(PASSWORD)
    manager.save()
    manager.groups.add(groups[MANAGERS_GROUP])
    customer, _ = User.objects.get_or_create(
        email=CUSTOMER_EMAIL,
        defaults={
            "full_name": "Bench Customer",
            "organisation": Organisation.objects.get(slug="bench-org-0"),
            "contact_role": ContactRole.MAIN,
        },
    )
    customer.set_password(PASSWORD)
    customer.save()
    from django.db import connection

    with connection.cursor() as cursor:
        # Fresh statistics, as autovacuum would leave them after a bulk load.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _count_queries() -> None:
    """Print the queries of each page (called with ``--inside queries``): the first request of a
    fresh process (every cache cold) and the next one."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tenants.models import User

    for email, label, path in PAGES:
        client = Client()
        user = User.objects.get(email=email)
        client.force_login(user)
        # Signed in with the second factor too, as support staff are.
        if device := TOTPDevice.objects.filter(user=user, confirmed=True).first():
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        cache.clear()
        counts = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                status = client.get(path).status_code
            counts.append((status, len(queries)))
        print(f"QUERIES\t{label}\t{counts[0][0]}\t{counts[0][1]}\t{counts[1][1]}", flush=True)


def _last_month() -> str:
    from datetime import date

    today = date.today()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return f"{year:04d}-{month:02d}"


PAGES = [
    (
        MANAGER_EMAIL,
        "month page, last month",
        f"/availability/?{urlencode({'month': _last_month()})}",
    ),
    (MANAGER_EMAIL, "month page, this month", "/availability/"),
    (
        MANAGER_EMAIL,
        "month page per organisation",
        f"/availability/?{urlencode({'month': _last_month(), 'by': 'organisation'})}",
    ),
    (MANAGER_EMAIL, "status page, staff", "/status/"),
    (CUSTOMER_EMAIL, "status page, customer", "/status/"),
]


# --- over HTTP ------------------------------------------------------------------------------------


def inside(env: dict[str, str], what: str) -> str:
    done = subprocess.run(
        [PYTHON, str(Path(__file__).resolve()), "--inside", what],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    sys.stderr.write(done.stderr)
    if done.returncode:
        raise SystemExit(f"{what} failed with exit status {done.returncode}")
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page")
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn workers (gunicorn.conf.py's threads each)"
    )
    parser.add_argument("--fresh", action="store_true", help="drop and reload the bench database")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--inside", choices=["load", "queries"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.inside:
        import django

        django.setup()
        _load(args.seed) if args.inside == "load" else _count_queries()
        return 0

    env = {**prepare_database(args.db, PG_BENCH_DB, fresh=args.fresh), "PYTHONPATH": str(ROOT)}
    log(inside(env, "load").rstrip())
    manage_output(env, ENROL_AUTHENTICATORS)  # the manager's second factor, as in production
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")

    failed = False
    queries = {}
    for line in inside(env, "queries").splitlines():
        if line.startswith("QUERIES\t"):
            _, label, status, cold, warm = line.split("\t")
            queries[label] = (int(status), int(cold), int(warm))

    port = free_port()
    log(
        f"Starting gunicorn on 127.0.0.1:{port} ({args.workers} workers, gunicorn.conf.py's threads)"
    )
    server = start_gunicorn(env, port, args.workers)
    try:
        sessions = {}
        for email in {email for email, _, _ in PAGES}:
            sessions[email] = PortalClient(port)
            sessions[email].sign_in(email, PASSWORD)
        log(
            f"\n{args.db}, {TENANTS} tenants, {YEARS} years, {args.requests} sequential requests per page"
        )
        log(f"load average before: {load_average()} (shared cores)")
        log(
            f"{'page':30} {'queries cold/warm':>17} {'rows':>5} {'median ms':>10} {'p95 ms':>8} "
            f"{'max ms':>8} {'errors':>6}"
        )
        for email, label, path in PAGES:
            status, cold, warm = queries[label]
            result = time_path(sessions[email], path, args.requests)
            body = result.pop("body")
            result["rows"] = (
                body.count("data-tenant=") + body.count("data-region=") + body.count("data-group=")
            )
            misses = []
            if status != 200 or warm > MAX_QUERIES:
                misses.append("queries")
            if result["p95"] > P95_TARGET_MS:
                misses.append("p95")
            failed |= bool(misses) or result["errors"] > 0
            log(
                f"{label:30} {f'{cold}/{warm}':>17} {result['rows']:>5} {result['median']:>10.1f} "
                f"{result['p95']:>8.1f} {result['max']:>8.1f} {result['errors']:>6}"
                + (f"  MISSED {', '.join(misses)}" if misses else "")
            )
        log(
            f"targets: at most {MAX_QUERIES} queries a request (warm: the navigation figures and"
            f" the organisation list are shared for seconds), p95 <= {P95_TARGET_MS:.0f} ms"
        )
    finally:
        stop(server)
    log("FAILED" if failed else "OK: all targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

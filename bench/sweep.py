"""How long one SLA sweep takes with a million open tickets, 1 % of them due, and how long a
sweep takes when nothing is due.

Run: ``.venv/bin/python bench/sweep.py [--db sqlite|postgres|both] [--tickets 1000000]``.

For each database it builds a database of its own (``var/bench/sweep.sqlite3``, or the
PostgreSQL database ``portal_bench_sweep`` on 127.0.0.1, dropped and created here), migrates it
and bulk-creates the open tickets directly (no services, so loading stays quick): every ticket
has a pending initial-response target, a quarter of them a pending P1 resolution target, half
of them a met update cycle whose deadline is long past (rows the sweep must never read). Of the
tickets, 0.5 % are at their warning point and 0.5 % past their deadline; the rest are due
between an hour and three days from now. The sweep writes its mail to the outbox (as in
production; nothing is delivered here) and the outbox rows are counted.

It then times one ``sla_sweep`` (the first, with the calendar already cached as in a running
worker), checks that it warned and breached exactly the due tickets, and prints the plan of
the claim queries (on PostgreSQL ``EXPLAIN ANALYZE``, which must show the partial indexes
``target_pending_due`` and ``target_pending_warn``). Targets on PostgreSQL: the first sweep
within 3 seconds, the next one (nothing left due) within 50 ms; SQLite's figures are printed.
The exit status is 1 if a target or a check fails.
"""

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, where a sibling named like a
# standard-library module (bench/queue.py) would shadow it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "portal_bench_sweep"
TARGET_SECONDS = 3.0
IDLE_TARGET_SECONDS = 0.050


def log(message: str) -> None:
    print(message, flush=True)


def database_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{BENCH_DIR / 'sweep.sqlite3'}"
    return f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_DB}"


def fresh_database(db: str) -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (BENCH_DIR / f"sweep.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(
        PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True
    ) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{PG_BENCH_DB}"')


def run_child(db: str, tickets: int, repeat: int, reuse: bool) -> int:
    """Each database in a process of its own: Django binds its database at set-up."""
    if not reuse:
        fresh_database(db)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": database_url(db),
        "PORTAL_VAR_DIR": str(BENCH_DIR / db),
        "EMAIL_URL": "memorymail://",
        # Mail stays in the outbox, where it is counted; no worker delivers it here.
        "OUTBOX_DELIVER_ON_COMMIT": "off",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    command = [sys.executable, __file__, "--child", "--db", db, "--tickets", str(tickets)]
    command += ["--repeat", str(repeat), *(["--reuse"] if reuse else [])]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


# --- inside the child process ------------------------------------------------------------------


WARN_EVERY = BREACH_EVERY = 200  # 0.5 % + 0.5 % = 1 % of the tickets are due


def load(ticket_count: int, now):
    """Create the organisation, staff and one ticket with its targets through the ORM, then copy
    that ticket ``ticket_count - 1`` times in SQL (``INSERT … SELECT`` over a counter), each
    copy's priority and deadlines a function of its index ``i``: a million tickets load in a
    minute instead of a quarter of an hour. Return the due target counts."""
    from datetime import timedelta

    from django.db import connection, transaction

    from sla.services import standard_policy_ensure
    from tenants.models import ContactRole, DataCentre, Organisation, Tenant, User
    from tenants.roles import ENGINEERS_GROUP, MANAGERS_GROUP, ensure_role_groups
    from tickets.models import Ticket, TicketTarget

    policy = standard_policy_ensure()
    groups = ensure_role_groups()
    organisation = Organisation.objects.create(name="Bench", slug="bench", sla_policy=policy)
    tenant = Tenant.objects.create(
        organisation=organisation, name="bench-prod", data_centre=DataCentre.EU
    )
    contact = User.objects.create_user(
        "contact@bench.example",
        full_name="Bench Contact",
        organisation=organisation,
        contact_role=ContactRole.MAIN,
    )
    for level in ("L1", "L2"):
        for n in range(3):
            engineer = User.objects.create_user(
                f"{level.lower()}-{n}@support.example",
                full_name=f"Engineer {level} {n}",
                support_level=level,
            )
            engineer.groups.add(groups[ENGINEERS_GROUP])
    manager = User.objects.create_user("manager@support.example", full_name="Manager")
    manager.groups.add(groups[MANAGERS_GROUP])

    # Ticket 0, the template: a P1 at its warning point (0 % 200 == 0), with every kind of row.
    template = Ticket.objects.create(
        organisation=organisation,
        tenant=tenant,
        kind="incident",
        priority="P1",
        subject="Bench ticket 0",
        description="Generated for bench/sweep.py.",
        submitter=contact,
        created_at=now - timedelta(hours=1),
        updated_at=now - timedelta(hours=1),
    )
    common = {
        "ticket": template,
        "organisation_id": organisation.pk,
        "tenant_id": tenant.pk,
        "started_at": now - timedelta(hours=1),
        "running_since": now - timedelta(hours=1),
    }
    TicketTarget.objects.create(
        **common,
        kind="initial_response",
        priority="P1",
        clock="24x7",
        target_seconds=3600,
        due_at=now + timedelta(minutes=10),
        warn_at=now - timedelta(seconds=1),
    )
    TicketTarget.objects.create(
        **common,
        kind="resolution",
        priority="P1",
        clock="24x7",
        target_seconds=4 * 3600,
        due_at=now + timedelta(hours=3),
        warn_at=now + timedelta(hours=2, minutes=12),
    )
    long_ago = now - timedelta(days=30)
    cycle_template = TicketTarget.objects.create(
        **{**common, "started_at": long_ago, "running_since": long_ago},
        kind="ongoing_update",
        priority="P1",
        clock="24x7",
        target_seconds=3600,
        due_at=long_ago + timedelta(hours=1),
        warn_at=long_ago + timedelta(minutes=48),
        state="met",
        met_at=long_ago + timedelta(minutes=30),
    )

    quote = connection.ops.quote_name
    at = connection.ops.adapt_datetimefield_value(now)

    def plus(seconds: str) -> str:
        """SQL for ``now`` plus an integer expression of seconds."""
        if connection.vendor == "postgresql":
            return f"(%(now)s::timestamptz + ({seconds}) * interval '1 second')"
        return f"strftime('%%Y-%%m-%%d %%H:%%M:%%S', %(now)s, printf('%%+d seconds', {seconds}))"

    def copy(model, source_where: str, replace: dict[str, str], rows: str) -> None:
        """INSERT a copy of the template row of ``model`` for each row of ``rows`` (a FROM
        clause giving ``i``), with the columns in ``replace`` computed."""
        columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
        select = [replace.get(c, f"t.{quote(c)}") for c in columns]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
                f"SELECT {', '.join(select)} FROM {quote(model._meta.db_table)} t, {rows} "
                f"WHERE {source_where}",
                {"now": at, "template": template.pk, "count": ticket_count},
            )

    counter = (
        "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %(count)s - 1)"
        " SELECT i FROM n) n"
    )
    # The copies' ids follow the template's in insertion order, so ``id - template`` is ``i``.
    copies = f"(SELECT id AS ticket_id, id - %(template)s AS i FROM {quote(Ticket._meta.db_table)}"
    copies += " WHERE id > %(template)s) n"
    due_in = f"3600 + (i * 7919) %% {3 * 86_400 - 3600}"
    late = "1 + (i * 7) %% 599"
    p1 = "i %% 4 = 0"
    with transaction.atomic():
        copy(
            Ticket,
            "t.id = %(template)s",
            {
                "priority": f"CASE WHEN {p1} THEN 'P1' ELSE 'P3' END",
                "subject": "'Bench ticket ' || i",
            },
            counter,
        )
        last = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()
        if last - template.pk != ticket_count - 1:
            raise SystemExit("the copies' ids are not consecutive")
        target = "t.ticket_id = %(template)s AND t.kind = "
        copy(
            TicketTarget,
            target + "'initial_response'",
            {
                "ticket_id": "n.ticket_id",
                "priority": f"CASE WHEN {p1} THEN 'P1' ELSE 'P3' END",
                "clock": f"CASE WHEN {p1} THEN '24x7' ELSE 'business' END",
                "target_seconds": f"CASE WHEN {p1} THEN 3600 ELSE 30600 END",
                "due_at": f"CASE WHEN i %% {WARN_EVERY} = 0 THEN {plus('600')} "
                f"WHEN i %% {BREACH_EVERY} = 100 THEN {plus(f'-({late})')} "
                f"ELSE {plus(due_in)} END",
                "warn_at": f"CASE WHEN i %% {WARN_EVERY} = 0 THEN {plus(f'-({late})')} "
                f"WHEN i %% {BREACH_EVERY} = 100 THEN {plus(f'-({late}) - 720')} "
                f"ELSE {plus(f'{due_in} - 1800')} END",
                "warned_at": f"CASE WHEN i %% {BREACH_EVERY} = 100 "
                f"THEN {plus(f'-({late}) - 720')} END",
            },
            copies,
        )
        copy(
            TicketTarget,
            target + f"'resolution' AND {p1}",
            {"ticket_id": "n.ticket_id"},
            copies,
        )
        copy(
            TicketTarget,
            target + "'ongoing_update' AND i %% 2 = 1",
            {"ticket_id": "n.ticket_id", "priority": f"CASE WHEN {p1} THEN 'P1' ELSE 'P3' END"},
            copies,
        )
        cycle_template.delete()  # ticket 0's index is even: no met cycle
    return {
        "warn": len(range(0, ticket_count, WARN_EVERY)),
        "breach": len(range(100, ticket_count, BREACH_EVERY)),
    }


def reset(now) -> dict[str, int]:
    """Undo what sweeps did, so that the same tickets are due again; the due counts."""
    from tickets.models import Ticket, TicketEvent, TicketTarget

    events = TicketEvent.objects.filter(kind__in=["sla_warning", "sla_breached"])
    warned = events.filter(kind="sla_warning").values_list("data__target_id", flat=True)
    breached = events.filter(kind="sla_breached").values_list("data__target_id", flat=True)
    TicketTarget.objects.filter(pk__in=list(warned)).update(warned_at=None)
    TicketTarget.objects.filter(pk__in=list(breached)).update(state="pending", breached_at=None)
    events.delete()
    Ticket.objects.filter(sla_breached=True).update(sla_breached=False)
    pending = TicketTarget.objects.filter(state="pending")
    return {
        "warn": pending.filter(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now).count(),
        "breach": pending.filter(due_at__lt=now).count(),
    }


def timed_sweep(now, profile: bool):
    from tickets.sweep import sla_sweep

    began = time.perf_counter()
    if not profile:
        return sla_sweep(now=now), time.perf_counter() - began
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    result = profiler.runcall(sla_sweep, now=now)
    elapsed = time.perf_counter() - began
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    return result, elapsed


def child(db: str, ticket_count: int, repeat: int, reuse: bool) -> int:
    import django

    django.setup()
    from datetime import UTC, datetime

    from django.core.management import call_command
    from django.db import connection
    from django.template.loader import get_template
    from django.urls import reverse

    from outbox.models import OutgoingMail
    from sla import services as sla
    from sla.deadlines import calendar_is_open
    from tickets.models import Ticket, TicketTarget
    from tickets.sweep import breach_claim_query, sla_sweep, warning_claim_query

    # Tuesday 17 November 2026, 11:00 in Helsinki: business hours, so nothing is held.
    now = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    if reuse and Ticket.objects.exists():
        log(f"\n== {db}: reuse the loaded tickets")
        due = reset(now)
    else:
        log(f"\n== {db}: migrate and load {ticket_count:,} open tickets")
        due = load(ticket_count, now)
    ticket_count = Ticket.objects.count()
    # Statistics as autovacuum / ANALYZE would have them, and the bulk load flushed to disk, so
    # that the timed sweep does not pay for writing out the rows loaded a second ago.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    log(
        f"loaded {Ticket.objects.count():,} tickets, {TicketTarget.objects.count():,} targets "
        f"({due['warn']:,} warnings and {due['breach']:,} breaches due) in "
        f"{time.perf_counter() - began:.1f} s"
    )

    for label, query in (
        ("breach claim", breach_claim_query(now)),
        ("warning claim", warning_claim_query(now)),
    ):
        if connection.vendor == "postgresql":
            plan = query.explain(analyze=True, buffers=True)
        else:
            plan = query.explain()
        log(f"\n-- {label} query:\n{query.query}\n-- plan:\n{plan}")
        index = "target_pending_due" if label == "breach claim" else "target_pending_warn"
        if index not in plan:
            log(f"FAIL: the {label} does not use {index}")
            return 1

    # A running worker has imported its code, loaded the URLs and templates and cached the
    # calendar; the timed sweep should not pay for a process start-up.
    organisation_policy = Ticket.objects.select_related("organisation__sla_policy").first()
    calendar = sla.calendar_for(organisation_policy.organisation.sla_policy.calendar_id)
    assert calendar_is_open(calendar, now)
    reverse("tickets:detail", args=[1])
    for name in ("tickets/email/sla_warning.txt", "tickets/email/sla_breached.txt"):
        get_template(name)
    OutgoingMail.objects.all().delete()

    result, elapsed = timed_sweep(now, bool(os.environ.get("BENCH_PROFILE")))
    again = time.perf_counter()
    second = sla_sweep(now=now)
    second_elapsed = time.perf_counter() - again

    log(
        f"\n{db}: one sweep over {ticket_count:,} open tickets: {result.warned:,} warnings, "
        f"{result.breached:,} breaches, {OutgoingMail.objects.count():,} mails in the outbox "
        f"in {elapsed:.3f} s (target ≤ {TARGET_SECONDS:.0f} s); the next sweep found "
        f"{second.warned + second.breached} to send in {second_elapsed * 1000:.1f} ms "
        f"(target ≤ {IDLE_TARGET_SECONDS * 1000:.0f} ms)"
    )
    ok = True
    if (result.warned, result.breached) != (due["warn"], due["breach"]):
        log(f"FAIL: expected {due['warn']} warnings and {due['breach']} breaches")
        ok = False
    if second.warned or second.breached:
        log("FAIL: the second sweep sent something again")
        ok = False
    # The targets are set for PostgreSQL, the production database; SQLite's figures are shown.
    if db == "postgres" and elapsed > TARGET_SECONDS:
        log("FAIL: the sweep missed its target")
        ok = False
    if db == "postgres" and second_elapsed > IDLE_TARGET_SECONDS:
        log("FAIL: the sweep with nothing due missed its target")
        ok = False
    # The same work again, to show how much of the first sweep was a cold cache.
    for run in range(2, repeat + 1):
        reset(now)
        rerun, rerun_elapsed = timed_sweep(now, False)
        log(
            f"{db}: sweep {run} of the same {rerun.warned + rerun.breached:,} due targets: "
            f"{rerun_elapsed:.3f} s"
        )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="time the same sweep this often (reset between)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the tickets of the last run instead of loading"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        return child(args.db, args.tickets, args.repeat, args.reuse)
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    return max([run_child(db, args.tickets, args.repeat, args.reuse) for db in databases])


if __name__ == "__main__":
    sys.exit(main())

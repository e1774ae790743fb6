"""Faults around outgoing mail, with real processes on 127.0.0.1: a worker killed while it sends,
a slow mail server, the broker stopped while people work.

Run: ``.venv/bin/python bench/outbox_faults.py kill|slow|broker|all``.

Each scenario uses the PostgreSQL database ``wt_ops_faults`` (dropped and created), a
redis-server of its own on port 6390 (started and stopped here; the shared 6379 is never
touched), a local SMTP server that records every message by Message-ID, and a Celery worker and
beat with the portal's production settings; beat sweeps and delivers every 3 s.

- ``kill``: 35 SLA warnings fall due, each for another engineer (35 mails). The SMTP server
  takes 2 s per message. The worker is killed with SIGKILL (the whole process group, as a dying
  machine would) after 5 and again after 15 mails have arrived, and restarted 2 s later each
  time. Counted: mails that never arrived (must be 0), and duplicates, which the outbox allows
  only when a kill falls between the server's acceptance and the worker's record of it (the
  copy carries the same Message-ID).
- ``slow``: 60 SLA warnings fall due with the SMTP server at 2 s per message. Counted: how long
  each sweep task took (it only writes rows), and that all 60 mails arrive, once each.
- ``broker``: a web node, a worker and beat; customers file tickets and reply, engineers reply
  for 45 s, and Redis is stopped from second 5 to second 35. Counted: every submission
  acknowledged, nothing lost or doubled (as ``bench/two_nodes.py`` counts), SLA warnings that
  fell due during the outage mailed once, write times during the outage.

Exit status 1 if any mail or row was lost, doubled (beyond the kill window), or refused.
"""

import argparse
import re
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

# The project root, not bench/, leads the path: bench/queue.py would shadow the standard library.
_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]

from bench.cluster import (  # noqa: E402
    Cluster,
    MailSink,
    PortalClient,
    RedisServer,
    free_port,
    log,
    percentile,
    recreate_pg_database,
    wait_until,
)

DATABASE = "wt_ops_faults"
REDIS_PORT = 6390
QUEUE = "wt-ops-faults"
SETTINGS = {
    "SLA_SWEEP_INTERVAL_SECONDS": "3",
    "OUTBOX_DELIVER_INTERVAL_SECONDS": "3",
    # A killed worker's mail comes back after the lease: 30 s keeps the run short, and with
    # 3 s per SMTP round trip a batch still has room for nine 2-second messages.
    "OUTBOX_LEASE_SECONDS": "30",
    "OUTBOX_SEND_TIMEOUT_SECONDS": "3",
    "OUTBOX_BATCH_SIZE": "5",
    "GUNICORN_WORKERS": "2",
    "GUNICORN_ACCESSLOG": "",
}


def cluster_for(name: str, sink: MailSink) -> tuple[Cluster, RedisServer]:
    from django.conf import settings

    if settings.configured:  # an earlier scenario's connection to the database dropped below
        from django.db import connections

        connections.close_all()
    cluster = Cluster(
        name=f"faults_{name}",
        database_url=recreate_pg_database(DATABASE),
        broker_url=f"redis://127.0.0.1:{REDIS_PORT}/0",
        queue=QUEUE,
        email_url=sink.email_url,
        extra=dict(SETTINGS),
    )
    return cluster, RedisServer(cluster.processes, REDIS_PORT)


def seed_assigned_warnings(count: int, due_in: timedelta = timedelta(0)) -> list[int]:
    """``count`` P1 incidents, each assigned to an engineer of its own, whose initial-response
    warning (80 % of 60 minutes) falls due ``due_in`` from now: one warning mail each."""
    from django.utils import timezone

    from tenants.models import SupportLevel, Tenant, User
    from tenants.roles import ENGINEERS_GROUP, ensure_role_groups
    from tickets import services

    groups = ensure_role_groups()
    manager = User.objects.get(email="manager@support.example")
    contact = User.objects.get(email="alice@northwind.example")
    tenant = Tenant.objects.filter(organisation_id=contact.organisation_id, kind="production")
    tenant_id = tenant.order_by("pk").values_list("pk", flat=True).first()
    filed_at = timezone.now() - timedelta(minutes=48) + due_in
    ids = []
    for n in range(count):
        engineer = User.objects.create_user(
            email=f"fault-engineer-{n}@support.example",
            password="fault-engineer-password-1",
            full_name=f"Fault Engineer {n}",
            support_level=SupportLevel.L1,
        )
        engineer.groups.add(groups[ENGINEERS_GROUP])
        ticket = services.ticket_create(
            submitter=contact,
            tenant_id=tenant_id,
            kind="incident",
            priority="P1",
            subject=f"fault-deadline-{n}",
            description="Seeded so that its SLA warning falls due during the run.",
            now=filed_at,
        )
        ticket.refresh_from_db()
        services.ticket_assign(
            ticket=ticket, actor=manager, assignee=engineer, version=ticket.version, now=filed_at
        )
        ids.append(ticket.pk)
    return ids


def mail_counts(sink: MailSink) -> dict[str, int]:
    """Outbox rows against what the SMTP server received, by Message-ID."""
    from outbox.models import OutgoingMail

    rows = set(OutgoingMail.objects.values_list("message_id", flat=True))
    received = sink.message_id_counts()
    return {
        "outbox rows": len(rows),
        "rows not sent": OutgoingMail.objects.exclude(state="sent").count(),
        "lost (row never received)": len(rows - set(received)),
        "duplicates (same Message-ID twice)": sum(n - 1 for n in received.values() if n > 1),
        "received from nowhere": len(set(received) - rows),
    }


def warnings_mailed(sink: MailSink, ticket_ids: list[int]) -> Counter:
    """How many distinct messages (by Message-ID) listed each seeded ticket."""
    listed = Counter()
    seen = set()
    for mail in sink.snapshot():
        if mail.message_id in seen or "warning" not in mail.subject.lower():
            continue
        seen.add(mail.message_id)
        for pk in ticket_ids:
            if f"/tickets/{pk}/" in mail.body:
                listed[pk] += 1
    return listed


def drain(seconds: float) -> float:
    from outbox.models import OutgoingMail

    started = time.monotonic()
    wait_until(
        lambda: (
            OutgoingMail.objects.exists()
            and not OutgoingMail.objects.exclude(state="sent").exists()
        ),
        seconds,
        interval=0.5,
        what="every outbox row sent",
    )
    return time.monotonic() - started


def report(title: str, figures: dict[str, object]) -> None:
    print(f"\n== {title}")
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"  {key:<{width}}  {value}")


# --- scenarios ---------------------------------------------------------------------------------


def scenario_kill(deadlines: int = 35, record_after_delay: bool = False) -> bool:
    sink = MailSink(delay=2.0, record_after_delay=record_after_delay).start()
    cluster, redis_server = cluster_for("kill", sink)
    try:
        redis_server.start()
        cluster.prepare()
        cluster.setup_django()
        ids = seed_assigned_warnings(deadlines, due_in=timedelta(seconds=20))
        cluster.start_worker("worker")
        cluster.start_beat()
        started = time.monotonic()
        kills = []
        for threshold in (5, 15):
            wait_until(
                lambda t=threshold: len(sink.snapshot()) >= t, 240, 0.05, f"{threshold} mails"
            )
            cluster.processes.kill("worker")
            kills.append(round(time.monotonic() - started, 1))
            log(f"SIGKILL to the worker after {len(sink.snapshot())} mails")
            time.sleep(2)
            cluster.start_worker("worker")
        drained = drain(300)
        time.sleep(4)  # more sweeps and delivery runs: nothing further may arrive
        counts = mail_counts(sink)
        listed = warnings_mailed(sink, ids)
        from tickets.models import TicketEvent

        events = TicketEvent.objects.filter(kind="sla_warning", ticket_id__in=ids).count()
        figures = {
            "deadlines (one warning mail each)": deadlines,
            "warning events": events,
            "kills at (s after start)": kills,
            **counts,
            "deadlines never mailed": sum(1 for pk in ids if not listed[pk]),
            "deadlines in two mails (distinct Message-IDs)": sum(1 for pk in ids if listed[pk] > 1),
            "drained after the second restart (s)": round(drained, 1),
            "mails received in all": len(sink.snapshot()),
        }
    finally:
        cluster.stop()
        sink.stop()
    model = "after its answer" if record_after_delay else "at the end of its data (worst case)"
    report(
        f"Worker killed twice while sending through a 2 s/message SMTP server; a message counts"
        f" as received {model}",
        figures,
    )
    return (
        figures["lost (row never received)"] == 0
        and figures["deadlines never mailed"] == 0
        and figures["deadlines in two mails (distinct Message-IDs)"] == 0
        and figures["warning events"] == deadlines
        # Each kill can catch at most one message per pool process between acceptance and
        # record (concurrency 2).
        and figures["duplicates (same Message-ID twice)"] <= 2 * len(kills)
    )


def scenario_slow(deadlines: int = 60, mail_queue: bool = False) -> bool:
    sink = MailSink(delay=2.0).start()
    cluster, redis_server = cluster_for("slow", sink)
    if mail_queue:
        cluster.extra["OUTBOX_QUEUE"] = f"{QUEUE}-mail"
    try:
        redis_server.start()
        cluster.prepare()
        cluster.setup_django()
        ids = seed_assigned_warnings(deadlines, due_in=timedelta(seconds=15))
        cluster.start_worker("worker")
        if mail_queue:
            cluster.start_worker("mailer", queue=f"{QUEUE}-mail")
        cluster.start_beat()
        from outbox.models import OutgoingMail

        wait_until(lambda: OutgoingMail.objects.count() >= deadlines, 120, 0.5, "warnings written")
        drained = drain(400)
        time.sleep(4)
        durations = [
            float(s)
            for s in re.findall(
                r"Task tickets\.tasks\.sla_sweep\[[^\]]+\] succeeded in ([0-9.]+)s",
                cluster.processes.log_text("worker"),
            )
        ]
        sent = cluster.processes.log_text("beat").count("Sending due task sla-sweep")
        counts = mail_counts(sink)
        listed = warnings_mailed(sink, ids)
        figures = {
            "deadlines (one warning mail each)": deadlines,
            "sweep tasks sent by beat (every 3 s)": sent,
            "sweep tasks run": len(durations),
            "longest sweep task (s)": max(durations) if durations else None,
            **counts,
            "deadlines never mailed": sum(1 for pk in ids if not listed[pk]),
            "last mail arrived after the warnings were written (s)": round(drained, 1),
        }
    finally:
        cluster.stop()
        sink.stop()
    where = "a mail worker of its own (OUTBOX_QUEUE)" if mail_queue else "one queue, one worker"
    report(f"A 2 s/message SMTP server and 60 SLA warnings due at once; {where}", figures)
    return (
        figures["lost (row never received)"] == 0
        and figures["deadlines never mailed"] == 0
        and figures["duplicates (same Message-ID twice)"] == 0
        and figures["rows not sent"] == 0
    )


def scenario_broker(seconds: float = 45, down_from: float = 5, down_until: float = 35) -> bool:
    from bench.two_nodes import check_counts, run_load, tenants_of_customers

    sink = MailSink().start()
    cluster, redis_server = cluster_for("broker", sink)
    port = free_port()
    outage: dict[str, float] = {}
    try:
        redis_server.start()
        cluster.prepare()
        cluster.setup_django()
        # Warnings that fall due while the broker is down.
        ids = seed_assigned_warnings(10, due_in=timedelta(seconds=down_from + 10))
        tenants = tenants_of_customers()
        cluster.start_web("web", port)
        cluster.start_worker("worker")
        cluster.start_beat()

        def outage_window() -> None:
            time.sleep(down_from)
            redis_server.stop()
            outage["from"] = time.monotonic()
            log("Redis stopped")
            time.sleep(down_until - down_from)
            redis_server.start()
            outage["until"] = time.monotonic()
            log("Redis started again")

        # run_load signs everybody in first; the outage clock starts with the load.
        timer = threading.Thread(target=outage_window)
        timer.start()
        ledger = run_load([port], seconds, customers=6, engineers=2, tenants=tenants)
        timer.join()
        drained = drain(240)
        time.sleep(6)
        problems = check_counts(ledger, sink, deadlines=0)
        listed = warnings_mailed(sink, ids)
        writes = ledger.times["ticket"] + ledger.times["reply"]
        health = PortalClient(port).get("/healthz?checks=database,broker,outbox")[0]
        figures = {
            "tickets acknowledged": len(ledger.tickets),
            "replies acknowledged": len(ledger.replies),
            "refused or failed requests": dict(ledger.refused) or 0,
            "write p50 / p95 / max (ms)": (
                f"{1000 * percentile(writes, 0.5):.0f} / {1000 * percentile(writes, 0.95):.0f}"
                f" / {1000 * max(writes):.0f}"
            ),
            **{k: v for k, v in problems.items() if not k.startswith("deadline")},
            **mail_counts(sink),
            "warnings that fell due in the outage": len(ids),
            "warnings due in the outage never mailed": sum(1 for pk in ids if not listed[pk]),
            "warnings mailed twice": sum(1 for pk in ids if listed[pk] > 1),
            "outbox drained after the load (s)": round(drained, 1),
            "/healthz after the outage": health,
        }
    finally:
        cluster.stop()
        sink.stop()
    report(
        f"Redis stopped for {down_until - down_from:.0f} s during {seconds:.0f} s of work", figures
    )
    lost_or_doubled = [k for k, v in problems.items() if v and not k.startswith("deadline")]
    return (
        not lost_or_doubled
        and figures["refused or failed requests"] == 0
        and figures["lost (row never received)"] == 0
        and figures["duplicates (same Message-ID twice)"] == 0
        and figures["rows not sent"] == 0
        and figures["warnings due in the outage never mailed"] == 0
        and figures["warnings mailed twice"] == 0
        and health == 200
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=["kill", "slow", "broker", "all"])
    parser.add_argument(
        "--record-after-delay",
        action="store_true",
        help="kill: count a message as received only once the server answered it",
    )
    args = parser.parse_args()
    scenarios = {
        "kill": lambda: scenario_kill(record_after_delay=args.record_after_delay),
        "slow": lambda: scenario_slow() & scenario_slow(mail_queue=True),
        "broker": scenario_broker,
    }
    chosen = list(scenarios) if args.scenario == "all" else [args.scenario]
    results = {}
    for name in chosen:
        log(f"Scenario {name}")
        results[name] = scenarios[name]()
    print("\n" + ", ".join(f"{k}: {'PASS' if v else 'FAIL'}" for k, v in results.items()))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

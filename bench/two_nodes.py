"""Several machines on one: two gunicorn nodes, two Celery workers and one beat against the same
PostgreSQL and Redis, under a short load through both nodes; then count what the clients were
told against what the database and the mail server hold.

Run: ``.venv/bin/python bench/two_nodes.py [--seconds 30] [--customers 6] [--engineers 2]``.

Set-up (all on 127.0.0.1, all this script's own): the PostgreSQL database ``wt_ops_nodes``
(dropped and created), Redis database 7 of the shared server with the queue ``wt-ops-nodes``, a
local SMTP server that records every message, and ``var/bench/two_nodes/`` for logs and the beat
schedule. Every process runs the same command as the Procfile and the compose file, with
production settings (``DEBUG=0``) over plain HTTP; beat sweeps and delivers every 5 s.

What happens:

1. Deadlines fall due: P1 incidents filed 50 minutes ago (warning due) and P2 incidents filed
   5 hours ago (initial response breached), written through the ticket services.
2. Customers sign in on one node and file tickets and reply; engineers reply publicly. Every
   person switches node half-way (the session is in the shared database). Meanwhile both
   workers deliver mail and run the sweeps that beat sends, racing on the same rows.
3. Once the outbox is empty: every ticket and reply a client was told succeeded exists exactly
   once; nothing exists that no client was told about; every outbox row reached the SMTP
   server exactly once (by Message-ID) and nothing else did; every deadline has one warning or
   breach event and reaches each person it concerns exactly once (one message per time
   zone of the people told); both nodes answer ``/healthz`` with 200.

Exit status 1 if any count is off. Reuse: ``run_load`` and ``check_counts`` take a list of
ports and work for any number of nodes.
"""

import argparse
import random
import re
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

# The project root, not bench/, leads the path: bench/queue.py would shadow the standard library.
_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]

from bench.cluster import (  # noqa: E402
    Cluster,
    MailSink,
    PortalClient,
    free_port,
    log,
    percentile,
    recreate_pg_database,
    wait_until,
)

DATABASE = "wt_ops_nodes"
REDIS_URL = "redis://127.0.0.1:6379/7"
QUEUE = "wt-ops-nodes"
CUSTOMERS = [
    "alice@northwind.example",
    "bob@northwind.example",
    "carol@contoso.example",
    "dave@contoso.example",
    "erin@fabrikam.example",
    "tom@fabrikam.example",
    "nina@northwind.example",
    "fred@northwind.example",
]
ENGINEERS = ["l1@support.example", "manager@support.example", "l1@support.example"]
TICKET_LINK = re.compile(r"/tickets/(\d+)/")


class Ledger:
    """What the clients were told succeeded, and how long it took."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tickets: dict[str, int] = {}  # subject token → ticket id
        self.replies: list[str] = []  # body tokens
        self.refused = Counter()  # status of answers that were not a success
        self.times: dict[str, list[float]] = defaultdict(list)
        self.per_port = Counter()

    def record(self, kind: str, port: int, elapsed: float) -> None:
        with self.lock:
            self.times[kind].append(elapsed)
            self.per_port[port] += 1


def tenants_of_customers() -> dict[str, int]:
    """The production tenant each demo customer files on."""
    from tenants.models import Tenant, User

    tenants = {}
    for email in CUSTOMERS:
        user = User.objects.get(email=email)
        tenants[email] = (
            Tenant.objects.filter(organisation_id=user.organisation_id, kind="production")
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
    return tenants


def seed_deadlines(count: int) -> None:
    """``count`` P1s whose initial-response warning is due and ``count`` P2s already breached."""
    from django.utils import timezone

    from tenants.models import User
    from tickets import services

    contact = User.objects.get(email="alice@northwind.example")
    tenant = tenants_of_customers()[contact.email]
    now = timezone.now()
    for n in range(count):
        for priority, age in (("P1", timedelta(minutes=50)), ("P2", timedelta(hours=5))):
            services.ticket_create(
                submitter=contact,
                tenant_id=tenant,
                kind="incident",
                priority=priority,
                subject=f"deadline-{priority}-{n}",
                description="Seeded so that its SLA deadline falls due during the run.",
                now=now - age,
            )


def run_load(
    ports: list[int], seconds: float, customers: int, engineers: int, tenants: dict[str, int]
) -> Ledger:
    """Customers file tickets and reply, engineers reply, each starting on one node and moving
    to the next half-way. Returns what each was told."""
    ledger = Ledger()
    start_barrier = threading.Barrier(customers + engineers)

    def session(email: str, index: int, work) -> None:
        rng = random.Random(index)
        port = ports[index % len(ports)]
        client = PortalClient(port)
        client.sign_in(email)
        start_barrier.wait(timeout=60)
        started = time.monotonic()
        moved = False
        n = 0
        while time.monotonic() - started < seconds:
            if not moved and time.monotonic() - started > seconds / 2:
                # The same session cookie on the other node: sessions live in the database.
                port = ports[(index + 1) % len(ports)]
                cookies = client.cookies
                client.close()
                client = PortalClient(port)
                client.cookies = cookies
                moved = True
            n += 1
            work(client, port, email, index, n, rng)
        client.close()

    def customer(client, port, email, index, n, rng) -> None:
        mine = [pk for token, pk in list(ledger.tickets.items()) if token.startswith(f"c{index}-")]
        if mine and rng.random() < 0.4:
            pk = rng.choice(mine)
            token = f"reply-c{index}-{n}"
            fields = {"customer_reply-body": f"More detail {token}."}
            timed_post(client, port, f"/tickets/{pk}/do/customer_reply/", fields, token, "reply")
        else:
            token = f"c{index}-{n}"
            fields = {
                "tenant": tenants[email],
                "kind": "incident",
                "priority": rng.choice(["", "P1", "P2", "P3", "P4"]),
                "request_size": "",
                "subject": f"Load ticket {token}",
                "description": "Filed by bench/two_nodes.py.",
                "reference_id": "",
                "impact": "",
            }
            timed_post(client, port, "/tickets/new/", fields, token, "ticket")
        timed_get(client, port, "/tickets/")

    def engineer(client, port, email, index, n, rng) -> None:
        filed = list(ledger.tickets.values())
        if filed:
            pk = rng.choice(filed[-20:])
            token = f"reply-e{index}-{n}"
            fields = {"reply-body": f"We are on it {token}.", "reply-next_update_at": ""}
            timed_post(client, port, f"/tickets/{pk}/do/reply/", fields, token, "reply")
        timed_get(client, port, "/queue/")

    def timed_get(client, port, path) -> None:
        started = time.perf_counter()
        status, _, _ = client.get(path)
        ledger.record("page", port, time.perf_counter() - started)
        if status != 200:
            with ledger.lock:
                ledger.refused[f"GET {status}"] += 1

    def timed_post(client, port, path, fields, token, kind) -> None:
        started = time.perf_counter()
        try:
            status, location, _ = client.post(path, fields)
        except Exception as exc:  # no answer: not acknowledged, so it must not exist either
            with ledger.lock:
                ledger.refused[type(exc).__name__] += 1
            return
        ledger.record(kind, port, time.perf_counter() - started)
        with ledger.lock:
            if status != 302:
                ledger.refused[f"POST {kind} {status}"] += 1
            elif kind == "ticket":
                ledger.tickets[token] = int(TICKET_LINK.search(location).group(1))
            else:
                ledger.replies.append(token)

    threads = [
        threading.Thread(target=session, args=(CUSTOMERS[i % len(CUSTOMERS)], i, customer))
        for i in range(customers)
    ] + [
        threading.Thread(
            target=session, args=(ENGINEERS[i % len(ENGINEERS)], customers + i, engineer)
        )
        for i in range(engineers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 180)
    return ledger


def check_counts(ledger: Ledger, sink: MailSink, deadlines: int) -> dict[str, int]:
    """Lost and doubled rows and mails; every value must be 0."""
    from outbox.models import OutgoingMail
    from tickets.models import Ticket, TicketEvent

    problems: dict[str, int] = {}
    subjects = Counter(
        Ticket.objects.filter(subject__startswith="Load ticket ").values_list("subject", flat=True)
    )
    told = {f"Load ticket {token}" for token in ledger.tickets}
    problems["tickets lost"] = sum(1 for s in told if subjects[s] == 0)
    problems["tickets doubled"] = sum(n - 1 for n in subjects.values() if n > 1)
    problems["tickets saved but not acknowledged"] = sum(1 for s in subjects if s not in told)

    bodies = Counter()
    for body in TicketEvent.objects.filter(body__contains="reply-").values_list("body", flat=True):
        for token in re.findall(r"reply-[ce]\d+-\d+", body):
            bodies[token] += 1
    problems["replies lost"] = sum(1 for t in ledger.replies if bodies[t] == 0)
    problems["replies doubled"] = sum(n - 1 for n in bodies.values() if n > 1)
    problems["replies saved but not acknowledged"] = sum(
        1 for t in bodies if t not in set(ledger.replies)
    )

    rows = set(OutgoingMail.objects.values_list("message_id", flat=True))
    received = sink.message_id_counts()
    problems["mails not sent (outbox rows left)"] = OutgoingMail.objects.exclude(
        state="sent"
    ).count()
    problems["mails lost (row without SMTP delivery)"] = len(rows - set(received))
    problems["mails doubled at the SMTP server"] = sum(n - 1 for n in received.values() if n > 1)
    problems["mails from nowhere"] = len(set(received) - rows)

    # Every seeded deadline: one event, and each person told of it once.
    events = Counter(
        (kind, ticket)
        for kind, ticket in TicketEvent.objects.filter(
            kind__in=["sla_warning", "sla_breached"], ticket__subject__startswith="deadline-"
        ).values_list("kind", "ticket_id")
    )
    warned = Ticket.objects.filter(subject__startswith="deadline-P1-").values_list("pk", flat=True)
    breached = Ticket.objects.filter(subject__startswith="deadline-P2-").values_list(
        "pk", flat=True
    )
    problems["deadlines without their event"] = sum(
        1 for pk in warned if not events[("sla_warning", pk)]
    ) + sum(1 for pk in breached if not events[("sla_breached", pk)])
    problems["deadline events doubled"] = sum(n - 1 for n in events.values() if n > 1)
    # Each person is told of a deadline once; people in different time zones get separate
    # messages (each written in their zone), so a deadline may be in several messages.
    listed = Counter()
    mailed = Counter()
    for mail in sink.snapshot():
        if "SLA warning" in mail.subject:
            kind = "warning"
        elif "SLA breached" in mail.subject or " not resolved after " in mail.subject:
            kind = "breach"
        else:
            continue  # acknowledgements, P1/P2 alerts and updates also link to tickets
        for pk in set(TICKET_LINK.findall(mail.body)):
            mailed[(kind, int(pk))] += 1
            for recipient in mail.to:
                listed[(kind, int(pk), recipient.lower())] += 1
    problems["deadlines never mailed"] = sum(
        1 for pk in warned if not mailed[("warning", pk)]
    ) + sum(1 for pk in breached if not mailed[("breach", pk)])
    problems["deadlines mailed twice to one person"] = sum(
        n - 1
        for (kind, pk, _), n in listed.items()
        if n > 1 and (pk in set(warned) or pk in set(breached))
    )
    log(
        f"Counted {sum(subjects.values())} load tickets, {sum(bodies.values())} replies, "
        f"{len(rows)} outbox rows, {sum(received.values())} mails received, "
        f"{len(events)} SLA events for {2 * deadlines} deadlines"
    )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--customers", type=int, default=6)
    parser.add_argument("--engineers", type=int, default=2)
    parser.add_argument("--deadlines", type=int, default=10)
    args = parser.parse_args()

    sink = MailSink().start()
    import redis

    # Only this run's queue on database 7: what an earlier run may have left in it.
    redis.Redis.from_url(REDIS_URL).delete(QUEUE)
    cluster = Cluster(
        name="two_nodes",
        database_url=recreate_pg_database(DATABASE),
        broker_url=REDIS_URL,
        queue=QUEUE,
        email_url=sink.email_url,
        extra={
            "SLA_SWEEP_INTERVAL_SECONDS": "5",
            "OUTBOX_DELIVER_INTERVAL_SECONDS": "5",
            # Two nodes share this machine's two cores.
            "GUNICORN_WORKERS": "2",
            "GUNICORN_ACCESSLOG": "",
        },
    )
    ports = [free_port(), free_port()]
    try:
        log(f"Preparing {DATABASE}: migrate, demo data, collectstatic")
        cluster.prepare()
        cluster.setup_django()
        seed_deadlines(args.deadlines)
        tenants = tenants_of_customers()
        for n, port in enumerate(ports, 1):
            cluster.start_web(f"web{n}", port)
        cluster.start_worker("worker1")
        cluster.start_worker("worker2")
        cluster.start_beat()
        log(f"Two nodes on ports {ports}, two workers, one beat; load for {args.seconds:.0f} s")

        ledger = run_load(ports, args.seconds, args.customers, args.engineers, tenants)
        log(
            f"Acknowledged {len(ledger.tickets)} tickets and {len(ledger.replies)} replies; "
            f"requests per node {dict(ledger.per_port)}; refused {dict(ledger.refused) or 0}"
        )
        for kind, times in sorted(ledger.times.items()):
            log(
                f"  {kind:<7} n={len(times):<5} p50 {1000 * percentile(times, 0.5):5.0f} ms  "
                f"p95 {1000 * percentile(times, 0.95):5.0f} ms"
            )

        from outbox.models import OutgoingMail

        started = time.monotonic()
        wait_until(
            lambda: (
                not OutgoingMail.objects.exclude(state="sent").exists()
                and OutgoingMail.objects.count() >= 2
            ),
            180,
            interval=1,
            what="outbox drained",
        )
        log(f"Outbox drained {time.monotonic() - started:.1f} s after the load")
        time.sleep(6)  # another sweep and delivery run: they must find nothing left to send

        health = {}
        for port in ports:
            client = PortalClient(port)
            health[port] = wait_until(
                lambda c=client: (s := c.get("/healthz")[0]) == 200 and s,
                90,
                interval=2,
                what="/healthz 200 (beat's first heartbeat comes after a minute)",
            )
            client.close()
        log(f"/healthz per node: {health}")

        problems = check_counts(ledger, sink, args.deadlines)
        problems["nodes not serving"] = sum(1 for p in ports if not ledger.per_port[p])
        problems["refused requests"] = sum(ledger.refused.values())
    finally:
        cluster.stop()
        sink.stop()
    width = max(len(k) for k in problems)
    for key, value in problems.items():
        print(f"  {key:<{width}}  {value}")
    failed = {k: v for k, v in problems.items() if v}
    print("PASS: no loss, no doubles" if not failed else f"FAIL: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

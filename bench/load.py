"""The portal under a busy hour: 16 people at once for 60 s on gunicorn as deployed, against a
database with 100,000 tickets; then what every client was told is compared with the database.

Run: ``.venv/bin/python bench/load.py [--db postgres|sqlite] [--seconds 60] [--fresh]``.

Set-up (all on 127.0.0.1, all this script's own): the database ``portal_bench_load_seed``
(kept between runs, ``--fresh`` reloads it) with the demo data and ``seed_load`` tickets, six
engineers and two managers with authenticators, copied to ``portal_bench_load`` before each
run so that every run starts from the same rows (the replies of earlier runs would otherwise
pile up on the tickets at the top of the queue and make their pages longer run after run);
gunicorn with ``gunicorn.conf.py`` (production settings, plain HTTP), one Celery worker and
the beat on Redis database 8, and a local SMTP server that accepts every message.

Who does what, each over one keep-alive connection with its own session and CSRF token:

- 8 customer contacts: their ticket list, a ticket page, the new-ticket form and a new
  incident (one in four a P1, on a production tenant), replies on their own tickets;
- 6 engineers (L1 x3, L2 x2, L3) and 2 managers: the queue, a ticket page from it, then
  what that page offers them: a public reply, an internal note, take, escalate.

Every write follows its redirect, as a browser does; "changed while you were looking" is
counted apart (not an error). Afterwards: every acknowledged ticket, reply, note and
escalation exists exactly once, every acknowledged take left its assignment, nothing the
clients were not told about exists, and every load ticket has its submission event and its
first SLA target (nothing half-written).

Printed: throughput, p50/p95/p99 per page and write type, errors by status, lost, doubled.
Targets: 0 errors, 0 lost, 0 doubled, p95 ≤ 300 ms for pages and ≤ 500 ms for writes. Exit
status 1 if one is missed.
"""

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]

import argparse  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import runpy  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402

from bench.cluster import (  # noqa: E402
    DEMO_PASSWORD,
    Cluster,
    MailSink,
    PortalClient,
    free_port,
    log,
    percentile,
)
from bench.harness import (  # noqa: E402
    analyse,
    clone_database,
    load_average,
    load_tickets,
    manage,
    manage_output,
    prepare_database,
    staff_user,
)

DATABASE = "portal_bench_load"
SEED_DATABASE = "portal_bench_load_seed"
REDIS_URL = "redis://127.0.0.1:6379/8"
QUEUE = "portal-bench-load"
CUSTOMERS = [
    "alice@northwind.example",
    "bob@northwind.example",
    "nina@northwind.example",
    "fred@northwind.example",
    "carol@contoso.example",
    "dave@contoso.example",
    "erin@fabrikam.example",
    "tom@fabrikam.example",
]
STAFF = [
    ("load-l1-a@support.example", "L1"),
    ("load-l1-b@support.example", "L1"),
    ("load-l1-c@support.example", "L1"),
    ("load-l2-a@support.example", "L2"),
    ("load-l2-b@support.example", "L2"),
    ("load-l3-a@support.example", "L3"),
    ("load-manager-a@support.example", ""),
    ("load-manager-b@support.example", ""),
]
PAGE_P95_MS = 300
WRITE_P95_MS = 500
WRITES = ("file ticket", "customer reply", "reply", "note", "take", "escalate")
CHANGED = "changed while you were looking"
# Tokens name this run, so that a database kept from an earlier run is not counted twice.
RUN = time.strftime("%H%M%S")
TICKET_LINK = re.compile(r'href="/tickets/(\d+)/"')
QUEUE_ROW = re.compile(r'data-ticket="(\d+)"')


def version_of(page: str, action: str) -> str | None:
    found = re.search(rf'name="{action}-version" value="(\d+)"', page)
    return found.group(1) if found else None


class Ledger:
    """What the clients were told, and how long each answer took."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors = Counter()
        self.changed = Counter()
        self.acknowledged: dict[str, list] = defaultdict(list)  # kind → tokens or (pk, email)
        self.unanswered: list[str] = []  # tokens of writes that got no answer
        self.tickets_of: dict[str, list[int]] = defaultdict(list)  # customer → filed ticket ids

    def time(self, kind: str, elapsed: float) -> None:
        with self.lock:
            self.times[kind].append(elapsed)


class Person:
    """One person's session, doing what their role does, recording into the ledger."""

    def __init__(self, ledger: Ledger, port: int, email: str, index: int) -> None:
        self.ledger, self.email, self.index = ledger, email, index
        self.client = PortalClient(port)
        self.rng = random.Random(index)
        self.n = 0

    def token(self) -> str:
        self.n += 1
        return f"load-{RUN}-{self.index}-{self.n}"

    def page(self, kind: str, path: str) -> str:
        started = time.perf_counter()
        try:
            status, _, body = self.client.get(path)
        except Exception as exc:  # no answer is an error like a 5xx
            self.ledger.errors[f"GET {type(exc).__name__}"] += 1
            return ""
        self.ledger.time(kind, time.perf_counter() - started)
        if status != 200:
            with self.ledger.lock:
                self.ledger.errors[f"GET {kind} {status}"] += 1
            return ""
        return body

    def write(self, kind: str, path: str, fields: dict, token: object) -> str | None:
        """POST, then follow the redirect. The Location on success, None otherwise."""
        started = time.perf_counter()
        try:
            status, location, _ = self.client.post(path, fields)
        except Exception as exc:  # not acknowledged, so it must not exist either
            with self.ledger.lock:
                self.ledger.errors[f"POST {kind} {type(exc).__name__}"] += 1
                self.ledger.unanswered.append(str(token))
            return None
        self.ledger.time(kind, time.perf_counter() - started)
        if status != 302:
            with self.ledger.lock:
                self.ledger.errors[f"POST {kind} {status}"] += 1
            return None
        shown = self.page("ticket page", location)
        if CHANGED in shown:
            with self.ledger.lock:
                self.ledger.changed[kind] += 1
            return None
        with self.ledger.lock:
            self.ledger.acknowledged[kind].append(token)
        return location


class Customer(Person):
    def __init__(self, *args, tenant: int) -> None:
        super().__init__(*args)
        self.tenant = tenant

    def step(self) -> None:
        listing = self.page("my tickets", "/tickets/")
        mine = self.ledger.tickets_of[self.email] or [
            int(pk) for pk in TICKET_LINK.findall(listing)
        ]
        if mine and self.rng.random() < 0.5:
            pk = self.rng.choice(mine[-10:])
            page = self.page("ticket page", f"/tickets/{pk}/")
            if 'name="customer_reply-body"' in page:
                token = self.token()
                fields = {
                    "customer_reply-body": f"More detail [{token}].",
                    "customer_reply-version": version_of(page, "customer_reply") or "",
                }
                self.write("customer reply", f"/tickets/{pk}/do/customer_reply/", fields, token)
            return
        self.page("new ticket form", "/tickets/new/")
        token = self.token()
        priority = "P1" if self.rng.random() < 0.25 else self.rng.choice(["", "P2", "P3", "P4"])
        fields = {
            "tenant": self.tenant,
            "kind": "incident",
            "priority": priority,
            "request_size": "",
            "subject": f"Load ticket [{token}]",
            "description": "Filed by bench/load.py.",
            "reference_id": "",
            "impact": "",
        }
        location = self.write("file ticket", "/tickets/new/", fields, token)
        if location:
            with self.ledger.lock:
                self.ledger.tickets_of[self.email].append(int(location.strip("/").split("/")[-1]))


class Engineer(Person):
    def step(self) -> None:
        queue = self.page("queue", "/queue/")
        rows = QUEUE_ROW.findall(queue)
        if not rows:
            return
        pk = int(self.rng.choice(rows[:25]))
        page = self.page("ticket page", f"/tickets/{pk}/")
        choices = []
        if 'name="reply-body"' in page:
            choices += ["reply"] * 4
        if 'name="note-body"' in page:
            choices += ["note"] * 3
        if version_of(page, "take"):
            choices += ["take"] * 2
        if version_of(page, "escalate"):
            choices += ["escalate"]
        if not choices:
            return
        action = self.rng.choice(choices)
        path = f"/tickets/{pk}/do/{action}/"
        if action in ("reply", "note"):
            token = self.token()
            fields = {
                f"{action}-body": f"Looking into it [{token}].",
                # The hidden field the form carries, as a browser posts it.
                f"{action}-version": version_of(page, action) or "",
            }
            if action == "reply":
                fields["reply-next_update_at"] = ""
            self.write(action, path, fields, token)
        elif action == "take":
            self.write("take", path, {"take-version": version_of(page, "take")}, (pk, self.email))
        else:
            token = self.token()
            fields = {
                "escalate-version": version_of(page, "escalate"),
                "escalate-reason": f"Needs the next level [{token}].",
            }
            self.write("escalate", path, fields, token)


def run(port: int, seconds: float, tenants: dict[str, int]) -> tuple[Ledger, float]:
    ledger = Ledger()
    people: list[Person] = [
        Customer(ledger, port, email, n, tenant=tenants[email]) for n, email in enumerate(CUSTOMERS)
    ] + [Engineer(ledger, port, email, 100 + n) for n, (email, _) in enumerate(STAFF)]
    barrier = threading.Barrier(len(people) + 1)

    def live(person: Person) -> None:
        started = time.perf_counter()
        try:
            person.client.sign_in(person.email)
        except Exception as exc:
            with ledger.lock:
                ledger.errors[f"sign-in {exc}"] += 1
        ledger.time("sign-in", time.perf_counter() - started)
        barrier.wait(timeout=120)
        stop_at = time.monotonic() + seconds
        while time.monotonic() < stop_at:
            person.step()
        person.client.close()

    threads = [threading.Thread(target=live, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=120)  # everyone signed in: the timed part starts
    began = time.monotonic()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return ledger, time.monotonic() - began


def check(ledger: Ledger) -> dict[str, int]:
    """Lost, doubled and unacknowledged rows; every value must be 0."""
    from tenants.models import User
    from tickets.models import Ticket, TicketEvent, TicketTarget

    token = re.compile(rf"\[(load-{RUN}-\d+-\d+)\]")
    mark = f"[load-{RUN}-"
    problems: dict[str, int] = {}
    saved = Counter()
    for subject in Ticket.objects.filter(subject__startswith=f"Load ticket {mark}").values_list(
        "subject", flat=True
    ):
        saved[("file ticket", token.search(subject).group(1))] += 1
    kinds = {
        TicketEvent.Kind.CUSTOMER_REPLY: "customer reply",
        TicketEvent.Kind.PUBLIC_REPLY: "reply",
        TicketEvent.Kind.INTERNAL_NOTE: "note",
    }
    for kind, body in TicketEvent.objects.filter(
        kind__in=list(kinds), body__contains=mark
    ).values_list("kind", "body"):
        saved[(kinds[kind], token.search(body).group(1))] += 1
    for reason in TicketEvent.objects.filter(
        kind=TicketEvent.Kind.LEVEL_CHANGED, reason__contains=mark
    ).values_list("reason", flat=True):
        saved[("escalate", token.search(reason).group(1))] += 1

    for kind in ("file ticket", "customer reply", "reply", "note", "escalate"):
        told = set(ledger.acknowledged[kind])
        mine = {t: n for (k, t), n in saved.items() if k == kind}
        problems[f"{kind}: lost"] = sum(1 for t in told if t not in mine)
        problems[f"{kind}: doubled"] = sum(n - 1 for n in mine.values() if n > 1)
        problems[f"{kind}: saved but not acknowledged"] = sum(1 for t in mine if t not in told)

    staff = dict(User.objects.filter(email__startswith="load-").values_list("email", "pk"))
    assigned = set(
        TicketEvent.objects.filter(
            kind=TicketEvent.Kind.ASSIGNED, actor_id__in=staff.values()
        ).values_list("ticket_id", "actor_id")
    )
    problems["take: lost"] = sum(
        1 for pk, email in ledger.acknowledged["take"] if (pk, staff[email]) not in assigned
    )
    load_tickets = Ticket.objects.filter(subject__startswith=f"Load ticket {mark}")
    problems["tickets without their submission event"] = load_tickets.exclude(
        events__kind=TicketEvent.Kind.CREATED
    ).count()
    problems["tickets without their first SLA target"] = load_tickets.exclude(
        pk__in=TicketTarget.objects.filter(kind="initial_response").values("ticket_id")
    ).count()
    return problems


def report(ledger: Ledger, elapsed: float) -> list[str]:
    """Print the figures; the targets missed."""
    missed = []
    requests = sum(len(v) for k, v in ledger.times.items() if k != "sign-in")
    log(f"\n{requests:,} requests in {elapsed:.1f} s: {requests / elapsed:.1f} req/s")
    log(f"{'':<16}{'n':>6}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}  ms")
    for kind in sorted(ledger.times, key=lambda k: (k in WRITES, k == "sign-in", k)):
        times = ledger.times[kind]
        p95 = 1000 * percentile(times, 0.95)
        row = [1000 * percentile(times, share) for share in (0.5, 0.95, 0.99)]
        limit = WRITE_P95_MS if kind in WRITES else PAGE_P95_MS
        flag = ""
        if kind != "sign-in" and p95 > limit:
            flag = f"  p95 over {limit} ms"
            missed.append(f"{kind} p95 {p95:.0f} ms")
        log(
            f"{kind:<16}{len(times):>6}"
            + "".join(f"{v:>8.0f}" for v in row)
            + f"{1000 * max(times):>8.0f}{flag}"
        )
    log(f"errors by status: {dict(ledger.errors) or 0}")
    log(f"'changed while you were looking' (not errors): {dict(ledger.changed) or 0}")
    acknowledged = {k: len(v) for k, v in ledger.acknowledged.items()}
    log(f"acknowledged writes: {acknowledged}")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true", help="drop and reload the database")
    args = parser.parse_args()

    env = prepare_database(args.db, SEED_DATABASE, fresh=args.fresh)
    has_demo = "alice@northwind.example" in manage_output(
        env,
        "from tenants.models import User\n"
        "print(list(User.objects.filter(email='alice@northwind.example')"
        ".values_list('email', flat=True)))",
    )
    if not has_demo:
        log("Loading the demo data")
        manage(env, "seed_demo")
    load_tickets(env, args.tickets)
    for email, level in STAFF:
        group = "Support engineers" if level else "Support managers"
        staff_user(env, email, DEMO_PASSWORD, group=group, level=level)
    analyse(env)
    env = clone_database(args.db, SEED_DATABASE, DATABASE)

    import redis

    redis.Redis.from_url(REDIS_URL).delete(QUEUE)
    sink = MailSink().start()
    cluster = Cluster(
        name="load",
        database_url=env["DATABASE_URL"],
        broker_url=REDIS_URL,
        queue=QUEUE,
        email_url=sink.email_url,
        extra={"GUNICORN_ACCESSLOG": "", "LOG_LEVEL": "WARNING"},
    )
    port = free_port()
    try:
        cluster.manage("collectstatic", "--noinput", "--verbosity", "0")
        cluster.setup_django()
        from tenants.models import Tenant, User

        tenants = {}
        for email in CUSTOMERS:
            organisation = User.objects.get(email=email).organisation_id
            tenants[email] = (
                Tenant.objects.filter(organisation_id=organisation, kind="production")
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
        cluster.start_web("web", port)
        cluster.start_worker("worker")
        cluster.start_beat()
        # What gunicorn.conf.py makes of this environment, as the server reads it.
        conf = runpy.run_path(str(_ROOT / "gunicorn.conf.py"))
        log(
            f"gunicorn ({conf['worker_class']}, {conf['workers']} processes x {conf['threads']} "
            f"threads) on {port}, "
            f"{args.db}; 16 people for {args.seconds:.0f} s; load average {load_average()}"
        )
        cpu = time.process_time()
        ledger, elapsed = run(port, args.seconds, tenants)
        log(
            f"load average after the run: {load_average()}; this client used "
            f"{time.process_time() - cpu:.1f} s of CPU (for the 16 people and the checks)"
        )
    finally:
        cluster.stop()
        sink.stop()
    missed = report(ledger, elapsed)
    problems = check(ledger)
    width = max(len(k) for k in problems)
    for key, value in problems.items():
        log(f"  {key:<{width}}  {value}")
    failed = {k: v for k, v in problems.items() if v}
    errors = sum(ledger.errors.values())
    if errors:
        failed["errors"] = errors
    if failed or missed:
        log(f"FAIL: {failed or ''} {missed or ''}")
        return 1
    log("PASS: 0 errors, 0 lost, 0 doubled, every p95 within its target")
    return 0


if __name__ == "__main__":
    sys.exit(main())

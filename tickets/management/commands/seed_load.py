"""Generate a large, realistic data set for benchmarks: organisations, ~1,000 tenants, load
engineers at every level and N tickets spread over the past ``--days`` (default 400: more than a
year of history), each with SLA targets and a timeline told through the same ``TargetBook`` the
services use (met and late answers, waits for the customer, reclassifications, escalations,
product defects), written with bulk inserts."""

import json
import random
import time
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from lib.database import refresh_statistics
from tenants.models import ContactRole, DataCentre, Organisation, Tenant, User
from tenants.roles import ENGINEERS_GROUP, ensure_role_groups
from tickets.models import Ticket, TicketEvent, TicketTarget
from tickets.targets import TargetBook

# Tickets of the last three weeks are often still open; older ones are finished.
RECENT_DAYS = 21
RECENT_STATUS_WEIGHTS = {
    "new": 10,
    "in_progress": 30,
    "waiting": 12,
    "resolved": 20,
    "closed": 24,
    "withdrawn": 4,
}
OPEN_STATUS_WEIGHTS = {"new": 20, "in_progress": 55, "waiting": 25}
FINISHED_STATUS_WEIGHTS = {"resolved": 3, "closed": 90, "withdrawn": 7}
PRIORITY_WEIGHTS = {"P1": 3, "P2": 12, "P3": 55, "P4": 20, "": 10}  # "" = service request
LEVEL_WEIGHTS = {"L1": 50, "L2": 30, "L3": 15, "L4": 5}
SUBJECTS = [
    "Agents cannot log in",
    "Calls drop after 30 seconds",
    "Chat widget does not load",
    "Email routing delayed",
    "Dashboard shows no queues",
    "IVR prompt plays twice",
    "Add 20 agent licences",
    "New SIP trunk for Sweden",
    "Report export fails",
    "WhatsApp messages not delivered",
    "Callback requests lost",
    "Recording missing",
]
BATCH = 5000


def _adapt(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def _raw_insert(model, objects, chunk: int = 5000) -> None:
    """Insert rows with ``executemany``: several times faster than ``bulk_create`` for the
    child rows, whose ids nobody needs back. Only plain values (no expressions) are written."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for start in range(0, len(objects), chunk):
            cursor.executemany(
                sql,
                [
                    [_adapt(getattr(o, f.attname)) for f in fields]
                    for o in objects[start : start + chunk]
                ],
            )


def _weighted(rng: random.Random, weights: dict[str, int], k: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


class Command(BaseCommand):
    help = "Bulk-generate tickets for benchmarks (default 100,000 over about 1,000 tenants)."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=100_000)
        parser.add_argument("--tenants", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--days", type=int, default=400, help="Spread tickets over this many past days."
        )
        parser.add_argument(
            "--open-share",
            type=float,
            default=None,
            help="Make this share of the tickets open and recent (e.g. 0.4 to load a queue); "
            "by default only tickets of the last three weeks are open, as in real life.",
        )

    def handle(
        self, *args, tickets: int, tenants: int, seed: int, days: int, open_share, **options
    ):
        if tickets < 1 or tenants < 1:
            raise CommandError("--tickets and --tenants must be positive.")
        if open_share is not None and not 0 <= open_share <= 1:
            raise CommandError("--open-share lies between 0 and 1.")
        if days < 1:
            raise CommandError("--days must be positive.")
        started = time.perf_counter()
        rng = random.Random(seed)
        tenant_rows, contacts = self._organisations(rng, tenants)
        engineers = self._engineers()
        self.stdout.write(
            f"{len(tenant_rows)} tenants ready in {time.perf_counter() - started:.1f} s"
        )
        now = timezone.now()
        made = 0
        while made < tickets:
            size = min(BATCH, tickets - made)
            self._batch(rng, size, tenant_rows, contacts, engineers, now, days, open_share)
            made += size
            self.stdout.write(f"  {made} tickets ({time.perf_counter() - started:.1f} s)")
        refresh_statistics()  # after a bulk load, as SQLite keeps none of its own
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {tickets} tickets in {time.perf_counter() - started:.1f} s"
            )
        )

    @transaction.atomic
    def _engineers(self) -> dict[str, list[int]]:
        """Three load engineers per level, for drill-downs by engineer."""
        group = ensure_role_groups()[ENGINEERS_GROUP]
        by_level: dict[str, list[int]] = {}
        for level in ("L1", "L2", "L3", "L4"):
            for n in range(1, 4):
                user, created = User.objects.get_or_create(
                    email=f"{level.lower()}-{n}@load.example",
                    defaults={"full_name": f"Load engineer {level}/{n}", "support_level": level},
                )
                if created:
                    user.set_unusable_password()
                    user.save(update_fields=["password"])
                    user.groups.add(group)
                by_level.setdefault(level, []).append(user.pk)
        return by_level

    @transaction.atomic
    def _organisations(self, rng: random.Random, tenant_count: int):
        org_count = max(1, tenant_count // 3)
        existing = set(
            Organisation.objects.filter(slug__startswith="load-").values_list("slug", flat=True)
        )
        Organisation.objects.bulk_create(
            [
                Organisation(name=f"Load customer {i:04d}", slug=f"load-{i:04d}")
                for i in range(org_count)
                if f"load-{i:04d}" not in existing
            ]
        )
        orgs = list(
            Organisation.objects.filter(slug__startswith="load-").order_by("slug")[:org_count]
        )
        have = set(Tenant.objects.filter(name__startswith="load-").values_list("name", flat=True))
        centres = list(DataCentre.values)
        new_tenants = []
        for i in range(tenant_count):
            name = f"load-{i:05d}-{'test' if i % 4 == 3 else 'prod'}"
            if name in have:
                continue
            new_tenants.append(
                Tenant(
                    organisation=orgs[i % len(orgs)],
                    name=name,
                    kind=Tenant.Kind.TEST if i % 4 == 3 else Tenant.Kind.PRODUCTION,
                    data_centre=centres[i % len(centres)],
                    provisioned_at=timezone.now() - timedelta(days=400),
                )
            )
        Tenant.objects.bulk_create(new_tenants)
        have_users = set(
            User.objects.filter(email__endswith="@load.example").values_list("email", flat=True)
        )
        User.objects.bulk_create(
            [
                User(
                    email=f"contact-{o.slug}@load.example",
                    full_name=f"Contact {o.name}",
                    organisation=o,
                    contact_role=ContactRole.MAIN,
                    password="!",
                )
                for o in orgs
                if f"contact-{o.slug}@load.example" not in have_users
            ]
        )
        contacts = dict(
            User.objects.filter(
                email__endswith="@load.example", organisation__isnull=False
            ).values_list("organisation_id", "pk")
        )
        tenant_rows = list(
            Tenant.objects.filter(name__startswith="load-")
            .select_related("organisation__sla_policy")
            .order_by("name")[:tenant_count]
        )
        return tenant_rows, contacts

    @transaction.atomic
    def _batch(self, rng, size, tenant_rows, contacts, engineers, now, days, open_share):
        priorities = _weighted(rng, PRIORITY_WEIGHTS, size)
        levels = _weighted(rng, LEVEL_WEIGHTS, size)
        tickets, books, events = [], [], []
        for i in range(size):
            tenant = tenant_rows[rng.randrange(len(tenant_rows))]
            priority = priorities[i]
            if priority in ("P1", "P2") and not tenant.is_production:
                priority = "P3"
            status, age = _status_and_age(rng, days, open_share)
            ticket = Ticket(
                organisation=tenant.organisation,
                tenant=tenant,
                kind=Ticket.Kind.INCIDENT if priority else Ticket.Kind.SERVICE_REQUEST,
                priority=priority,
                request_size="" if priority else "minor",
                subject=rng.choice(SUBJECTS),
                description="Generated for load testing.",
                reference_id=f"REF-{rng.randrange(10**6):06d}",
                submitter_id=contacts[tenant.organisation_id],
                created_at=now - age,
            )
            life = _Life(rng, ticket, engineers, now)
            life.live(status, levels[i])
            tickets.append(ticket)
            books.append(life.book)
            events += life.events
        Ticket.objects.bulk_create(tickets, batch_size=1000)
        targets = [row for book in books for row in book.rows]
        events += [event for book in books for event in book.events]
        for row in (*targets, *events):
            row.ticket_id = row.ticket.pk
        _raw_insert(TicketTarget, targets)
        _raw_insert(TicketEvent, events)


def _status_and_age(rng: random.Random, days: int, open_share: float | None):
    """A ticket's final status and how long ago it was filed."""
    if open_share is not None:
        if rng.random() < open_share:
            status = _weighted(rng, OPEN_STATUS_WEIGHTS, 1)[0]
            return status, timedelta(minutes=rng.randrange(60, 60 * 24 * 14))
        status = _weighted(rng, FINISHED_STATUS_WEIGHTS, 1)[0]
        return status, timedelta(minutes=rng.randrange(60, 60 * 24 * days))
    age = timedelta(minutes=rng.randrange(60, 60 * 24 * days))
    recent = age < timedelta(days=RECENT_DAYS)
    weights = RECENT_STATUS_WEIGHTS if recent else FINISHED_STATUS_WEIGHTS
    return _weighted(rng, weights, 1)[0], age


def _set(ticket: Ticket, field: str, value: str) -> None:
    # Generated tickets replay a history that already happened: their protected state-machine
    # fields are written as recorded, not moved through permission-checked transitions.
    ticket.__dict__[field] = value


class _Life:
    """One generated ticket's history, told through the same ``TargetBook`` the services use,
    so the stored targets follow exactly the portal's SLA rules: first response, update cycles
    (some late), a wait for the customer, a reclassification, an escalation and, at L4, a
    product defect, then resolution and closure."""

    def __init__(self, rng: random.Random, ticket: Ticket, engineers, now: datetime) -> None:
        self.rng = rng
        self.ticket = ticket
        self.engineers = engineers
        self.now = now
        self.book = TargetBook(ticket, [])
        self.events: list[TicketEvent] = []
        self.at = ticket.created_at

    def _later(self, seconds: float) -> bool:
        """Move the story on by ``seconds``; False when that would pass the present."""
        at = self.at + timedelta(seconds=max(int(seconds), 60))
        if at >= self.now:
            return False
        self.at = at
        return True

    def _event(self, kind: str, public: bool, body: str = "", **data) -> None:
        self.events.append(
            TicketEvent(
                ticket=self.ticket, kind=kind, at=self.at, public=public, body=body, data=data
            )
        )

    def _due_in(self, kind: str) -> float:
        """Real seconds until the earliest outstanding deadline of ``kind`` (or an hour)."""
        dues = [r.due_at for r in self.book.outstanding(kind) if r.due_at is not None]
        if not dues:
            return 3600.0
        return max((min(dues) - self.at).total_seconds(), 60.0)

    def _respond(self, kind: str) -> bool:
        """Support answers, mostly in time: 8 % of answers come after the deadline."""
        due = self._due_in(kind)
        share = (
            self.rng.uniform(1.05, 2.0) if self.rng.random() < 0.08 else self.rng.uniform(0.1, 0.95)
        )
        if not self._later(due * share):
            return False
        self.ticket.last_public_update_at = self.at
        self._event(TicketEvent.Kind.PUBLIC_REPLY, True, "We are looking into this.")
        self.book.record_support_update(self.at)
        return True

    def _set_status(self, status: str) -> None:
        old = self.ticket.status
        _set(self.ticket, "status", status)
        self._event(TicketEvent.Kind.STATUS_CHANGED, True, **{"from": old, "to": status})

    def _assign(self, level: str) -> None:
        _set(self.ticket, "level", level)
        choices = self.engineers.get(level) or [None]
        self.ticket.assignee_id = self.rng.choice(choices)

    def live(self, status: str, level: str) -> None:
        ticket, book = self.ticket, self.book
        _set(ticket, "status", Ticket.Status.NEW)
        _set(ticket, "level", "L1")
        self._event(TicketEvent.Kind.CREATED, True, ticket.description)
        book.start(self.at)
        self._finish(status, level)
        ticket.updated_at = self.at
        ticket.next_due_at = book.next_due_at if ticket.is_open else None
        ticket.sla_breached = book.sla_breached

    def _finish(self, status: str, level: str) -> None:
        rng, ticket, book = self.rng, self.ticket, self.book
        if status == Ticket.Status.NEW:
            return
        if status == Ticket.Status.WITHDRAWN and rng.random() < 0.5:
            self._withdraw()
            return
        self._assign("L1")
        if ticket.kind == Ticket.Kind.INCIDENT and rng.random() < 0.05:
            self._reclassify()  # categorised before the first answer
        if not self._respond(TicketTarget.Kind.INITIAL_RESPONSE):
            return
        _set(ticket, "status", Ticket.Status.IN_PROGRESS)
        if ticket.kind == Ticket.Kind.INCIDENT and rng.random() < 0.1:
            self._reclassify()
        if level != "L1" and self._later(rng.uniform(600, 4 * 3600)):
            self._assign(level)
            self._event(TicketEvent.Kind.LEVEL_CHANGED, False, **{"from": "L1", "to": level})
        for _ in range(rng.randrange(0, 3)):
            if not self._respond(TicketTarget.Kind.ONGOING_UPDATE):
                return
        if rng.random() < 0.25 and not self._wait_and_resume():
            return
        if (
            ticket.level == "L4"
            and ticket.priority == "P3"
            and rng.random() < 0.5
            and self._later(rng.uniform(600, 8 * 3600))
        ):
            ticket.product_defect = True
            self._event(TicketEvent.Kind.DEFECT_CONFIRMED, True)
            book.remeasure_product_defect(self.at)
        if status in Ticket.OPEN_STATUSES:
            if status == Ticket.Status.WAITING and self._later(rng.uniform(600, 3600)):
                self._set_status(Ticket.Status.WAITING)
                book.record_support_update(self.at)
                book.pause(self.at)
            return
        if status == Ticket.Status.WITHDRAWN:
            self._withdraw()
            return
        kind = (
            TicketTarget.Kind.DELIVERY
            if ticket.kind == Ticket.Kind.SERVICE_REQUEST
            else TicketTarget.Kind.RESOLUTION
        )
        resolve_at = self.at + timedelta(seconds=self._due_in(kind) * rng.uniform(0.2, 1.3))
        for _ in range(50):  # support keeps the customer updated until it is solved
            dues = [
                r.due_at
                for r in book.outstanding(TicketTarget.Kind.ONGOING_UPDATE)
                if r.due_at is not None
            ]
            if not dues or min(dues) >= resolve_at:
                break
            if not self._respond(TicketTarget.Kind.ONGOING_UPDATE):
                return
        if not self._later(max((resolve_at - self.at).total_seconds(), 0)):
            return
        ticket.resolution_type = "workaround" if rng.random() < 0.3 else "resolution"
        ticket.resolved_at = self.at
        self._set_status(Ticket.Status.RESOLVED)
        book.record_support_update(self.at, continues=False)
        book.meet_resolution(self.at)
        if status == Ticket.Status.CLOSED and self._later(rng.uniform(3600, 3 * 86400)):
            ticket.closed_at = self.at
            self._set_status(Ticket.Status.CLOSED)
            book.cancel_outstanding(self.at)

    def _reclassify(self) -> None:
        ticket = self.ticket
        options = ["P3", "P4"] + (["P1", "P2"] if ticket.tenant.is_production else [])
        options = [p for p in options if p != ticket.priority]
        if not self._later(self.rng.uniform(300, 7200)):
            return
        old, ticket.priority = ticket.priority, self.rng.choice(options)
        self._event(TicketEvent.Kind.PRIORITY_CHANGED, True, **{"from": old, "to": ticket.priority})
        self.book.remeasure_priority(self.at)

    def _wait_and_resume(self) -> bool:
        if not self._later(self.rng.uniform(600, 6 * 3600)):
            return False
        self._set_status(Ticket.Status.WAITING)
        self.book.record_support_update(self.at)
        self.book.pause(self.at)
        if not self._later(self.rng.uniform(1800, 3 * 86400)):
            return False
        self._set_status(Ticket.Status.IN_PROGRESS)
        self._event(TicketEvent.Kind.CUSTOMER_REPLY, True, "Here is what you asked for.")
        self.book.resume(self.at)
        return True

    def _withdraw(self) -> None:
        if self._later(self.rng.uniform(300, 86400)):
            self.ticket.closed_at = self.at
            self._set_status(Ticket.Status.WITHDRAWN)
            self.book.cancel_outstanding(self.at)

"""Generate a large, realistic data set for benchmarks: organisations, ~1,000 tenants and N
tickets with SLA targets and timelines, written with bulk inserts."""

import json
import random
import time
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from sla import services as sla
from sla.deadlines import due_at, warning_at
from tenants.models import ContactRole, DataCentre, Organisation, Tenant, User
from tickets.models import Ticket, TicketEvent, TicketTarget

STATUS_WEIGHTS = {
    "new": 12,
    "in_progress": 20,
    "waiting": 8,
    "resolved": 20,
    "closed": 35,
    "withdrawn": 5,
}
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
            "--days", type=int, default=365, help="Spread tickets over this many past days."
        )

    def handle(self, *args, tickets: int, tenants: int, seed: int, days: int, **options):
        if tickets < 1 or tenants < 1:
            raise CommandError("--tickets and --tenants must be positive.")
        started = time.perf_counter()
        rng = random.Random(seed)
        tenant_rows, contacts = self._organisations(rng, tenants)
        self.stdout.write(
            f"{len(tenant_rows)} tenants ready in {time.perf_counter() - started:.1f} s"
        )
        now = timezone.now()
        made = 0
        while made < tickets:
            size = min(BATCH, tickets - made)
            self._batch(rng, size, tenant_rows, contacts, now, days)
            made += size
            self.stdout.write(f"  {made} tickets ({time.perf_counter() - started:.1f} s)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {tickets} tickets in {time.perf_counter() - started:.1f} s"
            )
        )

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
            User.objects.filter(email__endswith="@load.example").values_list(
                "organisation_id", "pk"
            )
        )
        tenant_rows = list(
            Tenant.objects.filter(name__startswith="load-")
            .select_related("organisation__sla_policy")
            .order_by("name")[:tenant_count]
        )
        return tenant_rows, contacts

    @transaction.atomic
    def _batch(self, rng, size, tenant_rows, contacts, now, days):
        statuses = _weighted(rng, STATUS_WEIGHTS, size)
        priorities = _weighted(rng, PRIORITY_WEIGHTS, size)
        levels = _weighted(rng, LEVEL_WEIGHTS, size)
        rows = []
        for i in range(size):
            tenant = tenant_rows[rng.randrange(len(tenant_rows))]
            priority = priorities[i]
            if priority in ("P1", "P2") and not tenant.is_production:
                priority = "P3"
            status = statuses[i]
            open_ = status in ("new", "in_progress", "waiting")
            # Open tickets are recent; finished ones spread over the whole period.
            age = timedelta(minutes=rng.randrange(10, 60 * 24 * (14 if open_ else days)))
            created = now - age
            kind = Ticket.Kind.INCIDENT if priority else Ticket.Kind.SERVICE_REQUEST
            rows.append(
                Ticket(
                    organisation_id=tenant.organisation_id,
                    tenant=tenant,
                    kind=kind,
                    priority=priority,
                    request_size="" if priority else "minor",
                    subject=rng.choice(SUBJECTS),
                    description="Generated for load testing.",
                    reference_id=f"REF-{rng.randrange(10**6):06d}",
                    submitter_id=contacts[tenant.organisation_id],
                    level="L1" if status == "new" else levels[i],
                    status=status,
                    resolution_type="workaround"
                    if status in ("resolved", "closed") and rng.random() < 0.3
                    else ("resolution" if status in ("resolved", "closed") else ""),
                    created_at=created,
                    updated_at=created + (now - created) * rng.random(),
                )
            )
        # SLA data is computed before the insert so each table is written once; the targets and
        # events pick up their ticket's id when the tickets are bulk-created first.
        targets, events = [], []
        for ticket in rows:
            policy = ticket.tenant.organisation.sla_policy
            calendar = sla.calendar_for(policy.calendar_id)
            events.append(
                TicketEvent(
                    ticket=ticket,
                    kind=TicketEvent.Kind.CREATED,
                    at=ticket.created_at,
                    actor_id=ticket.submitter_id,
                    public=True,
                    body=ticket.description,
                )
            )
            next_due = None
            breached = False
            kinds = ["initial_response", "resolution"] if ticket.priority else []
            for kind in kinds:
                rule = sla.target_for(policy=policy, priority=ticket.priority, kind=kind)
                if rule is None:
                    continue
                due = due_at(calendar, rule, ticket.created_at)
                responded = ticket.status != "new"
                met_at = None
                if responded and kind == "initial_response":
                    met_at = ticket.created_at + (due - ticket.created_at) * (rng.random() * 1.2)
                elif kind == "resolution" and ticket.status in ("resolved", "closed"):
                    met_at = ticket.created_at + (due - ticket.created_at) * (rng.random() * 1.3)
                if met_at is not None:
                    state = "met" if met_at <= due else "breached"
                elif ticket.status == "withdrawn":
                    state = "cancelled"
                else:
                    state = "breached" if due < now else "pending"
                breached = breached or state == "breached"
                if met_at is None and state in ("pending", "breached"):
                    next_due = due if next_due is None else min(next_due, due)
                targets.append(
                    TicketTarget(
                        ticket=ticket,
                        kind=kind,
                        priority=ticket.priority,
                        clock=rule.clock,
                        target_seconds=rule.seconds,
                        started_at=ticket.created_at,
                        due_at=due,
                        warn_at=warning_at(calendar, rule, ticket.created_at, policy.warning_share),
                        state=state,
                        met_at=met_at,
                        breached_at=due if state == "breached" else None,
                    )
                )
                if met_at is not None and kind == "initial_response":
                    events.append(
                        TicketEvent(
                            ticket=ticket,
                            kind=TicketEvent.Kind.PUBLIC_REPLY,
                            at=met_at,
                            public=True,
                            body="We are looking into this.",
                        )
                    )
            ticket.next_due_at = next_due if ticket.status in ("new", "in_progress") else None
            ticket.sla_breached = breached
        Ticket.objects.bulk_create(rows, batch_size=1000)
        for ticket_row in targets + events:
            ticket_row.ticket_id = ticket_row.ticket.pk
        _raw_insert(TicketTarget, targets)
        _raw_insert(TicketEvent, events)

"""Demo availability data, so that ``make run`` shows maintenance, outages and a status page
with something in it. Idempotent: every item has a fixed identity and is created once."""

import uuid
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from sla.availability import Span, weekly_occurrences
from tenants.models import Tenant, User
from tickets.models import Ticket

from . import selectors, services
from .models import MaintenanceKind, MaintenanceWindow, Outage

# Fixed identities of the demo outages (``Outage.incident``).
OUTAGE_P1 = uuid.UUID("6f1c1e9a-4d3b-4b8e-9a57-000000000001")
OUTAGE_PARTIAL = uuid.UUID("6f1c1e9a-4d3b-4b8e-9a57-000000000002")
OUTAGE_LAST_MONTH = uuid.UUID("6f1c1e9a-4d3b-4b8e-9a57-000000000003")


def _next_weekly(region: str, now: datetime) -> Span | None:
    """The region's first weekly window that starts after ``now``."""
    upcoming = [
        span
        for rule in selectors.weekly_rules().get(region, ())
        for span in weekly_occurrences(rule, Span(now, now + timedelta(days=8)))
        if span.start > now
    ]
    return min(upcoming, default=None)


def _outage(incident, *, actor, tenant, starts_at, ends_at, scope, cause, tickets=()) -> bool:
    if Outage.objects.filter(incident=incident).exists():
        return False
    [outage] = services.outage_record(
        actor=actor,
        tenants=[tenant],
        starts_at=starts_at,
        ends_at=ends_at,
        scope=scope,
        cause=cause,
        tickets=list(tickets),
    )
    Outage.objects.filter(pk=outage.pk).update(incident=incident)
    return True


@transaction.atomic
def seed_demo_availability() -> int:
    """Create the demo windows, outages and subscriptions once; returns how many items were
    created (0 when they exist)."""
    services.availability_defaults_ensure()
    tenants = {
        t.name: t for t in Tenant.objects.filter(name__in=["northwind-prod", "contoso-prod"])
    }
    manager = User.objects.filter(email="manager@support.example").first()
    if len(tenants) < 2 or manager is None:
        return 0
    now = timezone.now()
    created = 0

    # Europe's next weekly window is used (Northwind's tenants are in Frankfurt).
    europe = _next_weekly("europe", now)
    if europe is not None:
        window = services.maintenance_window_open(
            region="europe", planned_starts_at=europe.start, actor=manager
        )
        if not window.used:
            services.maintenance_window_set_used(
                window=window, actor=manager, used=True, summary="Security patches", now=now
            )
            created += 1

    # A quarterly window for Europe on the second Friday of the next quarter.
    quarter_month = ((now.month - 1) // 3 + 1) * 3 + 1
    year = now.year + (quarter_month > 12)
    first = date(year, (quarter_month - 1) % 12 + 1, 1)
    friday = first + timedelta(days=(4 - first.weekday()) % 7 + 7)
    if not MaintenanceWindow.objects.filter(
        region="europe", kind=MaintenanceKind.QUARTERLY, planned_starts_at__date=friday
    ).exists():
        services.maintenance_window_schedule(
            region="europe", starts_on=friday, actor=manager, summary="Version upgrade", now=now
        )
        created += 1

    # The demo P1 of Northwind was a full outage of 50 minutes: below 99.92 % this month.
    p1 = (
        Ticket.objects.filter(tenant=tenants["northwind-prod"], priority="P1")
        .order_by("created_at")
        .first()
    )
    start = (p1.created_at if p1 else now - timedelta(hours=1)).replace(second=0, microsecond=0)
    created += _outage(
        OUTAGE_P1,
        actor=manager,
        tenant=tenants["northwind-prod"],
        starts_at=start - timedelta(minutes=10),
        ends_at=min(start + timedelta(minutes=40), now),
        scope=Outage.Scope.FULL,
        cause="Inbound call routing stopped after a failed database failover in Frankfurt.",
        tickets=[p1] if p1 else (),
    )
    created += _outage(
        OUTAGE_PARTIAL,
        actor=manager,
        tenant=tenants["contoso-prod"],
        starts_at=now - timedelta(hours=5),
        ends_at=now - timedelta(hours=3, minutes=30),
        scope=Outage.Scope.PARTIAL,
        cause="WhatsApp messages were delayed by several minutes (messaging provider).",
    )
    last_month = datetime.combine(
        now.date().replace(day=1) - timedelta(days=12), datetime.min.time(), UTC
    )
    created += _outage(
        OUTAGE_LAST_MONTH,
        actor=manager,
        tenant=tenants["contoso-prod"],
        starts_at=last_month + timedelta(hours=13),
        ends_at=last_month + timedelta(hours=13, minutes=20),
        scope=Outage.Scope.FULL,
        cause="Agent desktop did not load after a certificate renewal.",
    )

    for email in ("alice@northwind.example", "nina@northwind.example", "carol@contoso.example"):
        user = User.objects.filter(email=email).first()
        if user is not None and not hasattr(user, "maintenance_subscription"):
            services.maintenance_subscription_set(user=user, subscribed=True, now=now)
            created += 1
    return created

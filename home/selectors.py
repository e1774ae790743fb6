"""What each person's home page reads. ``home`` sits above every other app: these reads combine
theirs, each in one query, so that a home page stays within a handful of queries however many
tickets there are (``tests/home``). Lists are capped: a home page says what to do next and
links to the full list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, When

from reports import periods
from reports.compliance import Figure, compliance
from sla import services as sla
from tenants.access import scope_for_user
from tenants.models import Heartbeat, SupportLevel, Tenant, User
from tenants.roles import engineers
from tickets.models import Ticket, TicketEvent, TicketTarget
from tickets.queue.selectors import (
    AT_RISK_WINDOW,
    COUNTS_CACHE_SECONDS,
    open_tickets,
    urgency_order,
)

LIST_LENGTH = 10
CUSTOMER_LIST_LENGTH = 20
RECENT_REPLIES = timedelta(days=7)
CRITICAL = ("P1", "P2")
# Last month's compliance changes only when a late breach is recorded: the managers' glance at
# it is computed at most this often.
GLANCE_CACHE_SECONDS = 600


def _outstanding_kind() -> Subquery:
    """The kind of target behind a ticket's stored next deadline (first answer, update…)."""
    return Subquery(
        TicketTarget.objects.filter(
            ticket=OuterRef("pk"),
            due_at=OuterRef("next_due_at"),
            state__in=[TicketTarget.State.PENDING, TicketTarget.State.BREACHED],
            met_at__isnull=True,
            ended_at__isnull=True,
        ).values("kind")[:1]
    )


def customer_open_tickets(user: User, *, limit: int = CUSTOMER_LIST_LENGTH) -> list[Ticket]:
    """The organisation's open tickets, those waiting for the customer first, then by the next
    deadline support owes; each with ``next_kind`` (what that deadline is for). One query; one
    row more than ``limit`` tells the page that the list goes on."""
    return list(
        scope_for_user(open_tickets(), user)
        .select_related("tenant")
        .annotate(
            next_kind=_outstanding_kind(),
            waiting_first=Case(
                When(status=Ticket.Status.WAITING, then=0), default=1, output_field=IntegerField()
            ),
        )
        .order_by("waiting_first", *urgency_order())[: limit + 1]
    )


def customer_tenants(user: User) -> list[Tenant]:
    return list(scope_for_user(Tenant.objects.all(), user).order_by("name"))


def _urgent(queryset: QuerySet[Ticket], limit: int) -> list[Ticket]:
    return list(
        queryset.select_related("organisation", "tenant", "assignee").order_by(*urgency_order())[
            : limit + 1
        ]
    )


def my_open_tickets(user: User, *, limit: int = LIST_LENGTH) -> list[Ticket]:
    return _urgent(open_tickets().filter(assignee=user), limit)


def level_urgent_tickets(level: str, *, now: datetime, limit: int = LIST_LENGTH) -> list[Ticket]:
    """Open tickets at ``level`` that are overdue or due within the at-risk window."""
    return _urgent(open_tickets().filter(level=level, next_due_at__lte=now + AT_RISK_WINDOW), limit)


def unassigned_critical_tickets(*, limit: int = LIST_LENGTH) -> list[Ticket]:
    """Unassigned P1 and P2 incidents at every level: L1 works critical incidents around the
    clock, and a manager assigns them."""
    return _urgent(open_tickets().filter(assignee__isnull=True, priority__in=CRITICAL), limit)


def recent_customer_replies(user: User, *, now: datetime, limit: int = LIST_LENGTH):
    """Customers' replies of the last week on the open tickets ``user`` holds, newest first."""
    return list(
        TicketEvent.objects.filter(
            kind=TicketEvent.Kind.CUSTOMER_REPLY,
            ticket__assignee=user,
            ticket__status__in=Ticket.OPEN_STATUSES,
            at__gte=now - RECENT_REPLIES,
        )
        .select_related("ticket", "actor")
        .order_by("-at")[:limit]
    )


@dataclass
class LevelLine:
    level: str
    label: str
    missed_today: int = 0
    overdue: int = 0
    at_risk: int = 0
    open: int = 0


def levels_today(*, now: datetime, today_starts: datetime) -> list[LevelLine]:
    """Per level: targets missed since midnight (by the level that held them), open tickets
    overdue now and due within the at-risk window, and open tickets. Two queries."""
    lines = {value: LevelLine(value, label) for value, label in SupportLevel.choices}
    rows = (
        open_tickets()
        .order_by()
        .values("level")
        .annotate(
            overdue=Count("pk", filter=Q(next_due_at__lt=now)),
            at_risk=Count(
                "pk", filter=Q(next_due_at__gte=now, next_due_at__lte=now + AT_RISK_WINDOW)
            ),
            open=Count("pk"),
        )
    )
    for row in rows:
        if row["level"] in lines:
            line = lines[row["level"]]
            line.overdue, line.at_risk, line.open = row["overdue"], row["at_risk"], row["open"]
    missed = (
        TicketTarget.objects.filter(breached_at__gte=today_starts, breached_at__lte=now)
        .order_by()
        .values("held_level")
        .annotate(n=Count("pk"))
    )
    for row in missed:
        if row["held_level"] in lines:
            lines[row["held_level"]].missed_today = row["n"]
    return list(lines.values())


def engineer_load() -> list[User]:
    """Every active engineer with ``open_count``, their open tickets; the busiest first."""
    return list(
        engineers()
        .annotate(
            open_count=Count(
                "assigned_tickets",
                filter=Q(assigned_tickets__status__in=Ticket.OPEN_STATUSES),
            )
        )
        .order_by("-open_count", "support_level", "full_name")
    )


def start_of_day(now: datetime, tz) -> datetime:
    return datetime.combine(now.astimezone(tz).date(), time(0), tz)


def heartbeat(now: datetime) -> Heartbeat | None:
    """When beat last ran; shared for as long as the queue counts are."""
    key = f"home:heartbeat:{int(now.timestamp()) // COUNTS_CACHE_SECONDS}"
    found = cache.get(key)
    if found is None:
        found = Heartbeat.objects.filter(name="beat").first() or False
        cache.set(key, found, COUNTS_CACHE_SECONDS)
    return found or None


@dataclass
class Glance:
    """Last month's SLA compliance at a glance: the whole, and the targets below their goal."""

    period: periods.Period
    met: int
    missed: int
    percent: object
    below_goal: list[Figure] = field(default_factory=list)
    computed_at: datetime | None = None


def last_month_glance(*, now: datetime) -> Glance:
    """``reports.compliance.compliance`` for the last full month in the vendor's zone, kept for
    ``GLANCE_CACHE_SECONDS``."""
    key = f"home:glance:{int(now.timestamp()) // GLANCE_CACHE_SECONDS}"
    glance = cache.get(key)
    if glance is None:
        tz = sla.vendor_time_zone()
        period = periods.last_full_month(now.astimezone(tz).date())
        start, end = period.bounds(tz)
        totals = compliance(start=start, end=end, now=now)
        glance = Glance(
            period=period,
            met=totals.met,
            missed=totals.missed,
            percent=totals.compliance,
            below_goal=[f for f in totals.figures if f.goal_met is False],
            computed_at=now,
        )
        cache.set(key, glance, GLANCE_CACHE_SECONDS)
    return glance

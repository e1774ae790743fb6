"""Reads behind the report pages beyond the compliance table: the breach list, the monthly
trend and a customer's own summary. Aggregates run in the database; only the rows a page shows
are turned into Python values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, ExpressionWrapper, F, IntegerField, QuerySet
from django.db.models.functions import TruncMonth

from sla import services as sla
from sla.deadlines import Clock, clock_time_between
from tickets.models import Ticket, TicketTarget

from .compliance import EVERYTHING, ROW, Scope, _percent, counted_targets, met_q, missed_q
from .periods import Period


def breaches(
    *, start: datetime, end: datetime, now: datetime, scope: Scope = EVERYTHING
) -> QuerySet:
    """Every missed target whose deadline falls in the period, with what the list shows;
    ``late_seconds`` is how late it was met on its own clock (null while still open)."""
    return (
        counted_targets(start, end, scope)
        .filter(missed_q(now))
        .select_related("ticket", "organisation__sla_policy", "tenant", "held_by")
        .annotate(
            late_seconds=ExpressionWrapper(
                F("used_seconds") - F("target_seconds"), output_field=IntegerField()
            )
        )
        .order_by("due_at", "pk")
    )


def lateness(target: TicketTarget, now: datetime) -> int:
    """Clock seconds ``target`` is or was late by, on its own clock: the time used beyond the
    target once met or closed, else the clock time since its deadline."""
    if target.used_seconds is not None and not target.is_outstanding:
        return max(target.used_seconds - target.target_seconds, 0)
    due = target.breached_at or target.due_at
    if due is None:
        return 0
    calendar = sla.calendar_for(target.organisation.sla_policy.calendar_id)
    return clock_time_between(calendar, Clock(target.clock), due, now)


@dataclass(frozen=True)
class MonthLine:
    month: datetime
    priority: str
    met: int
    missed: int

    @property
    def compliance(self) -> Decimal | None:
        return _percent(self.met, self.met + self.missed)


def monthly_compliance(
    *, months: list[Period], tz: ZoneInfo, now: datetime, scope: Scope = EVERYTHING
) -> list[MonthLine]:
    """Met and missed targets per month (by deadline, in ``tz``) and priority: one query."""
    start, end = months[0].bounds(tz)[0], months[-1].bounds(tz)[1]
    rows = (
        counted_targets(start, end, scope)
        .annotate(month=TruncMonth("due_at", tzinfo=tz))
        .order_by()
        .values("month", "priority")
        .annotate(met=Count(ROW, filter=met_q()), missed=Count(ROW, filter=missed_q(now)))
    )
    return [MonthLine(r["month"], r["priority"], r["met"], r["missed"]) for r in rows]


def monthly_volume(
    *, months: list[Period], tz: ZoneInfo, scope: Scope = EVERYTHING
) -> list[tuple[datetime, str, int]]:
    """Tickets filed per month (in ``tz``) and priority (service requests under ""): one query.
    Level and engineer do not narrow it: a ticket is filed before anyone holds it."""
    start, end = months[0].bounds(tz)[0], months[-1].bounds(tz)[1]
    tickets = Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
    if scope.organisation_id is not None:
        tickets = tickets.filter(organisation_id=scope.organisation_id)
    if scope.tenant_id is not None:
        tickets = tickets.filter(tenant_id=scope.tenant_id)
    if scope.priority:
        tickets = tickets.filter(priority=scope.priority)
    rows = (
        tickets.annotate(month=TruncMonth("created_at", tzinfo=tz))
        .order_by()
        .values("month", "priority")
        .annotate(n=Count("pk"))
    )
    return [(r["month"], r["priority"], r["n"]) for r in rows]


def open_deadlines(organisation_id: int, *, limit: int = 20) -> QuerySet:
    """The organisation's open tickets with the next deadline support owes them, soonest first."""
    return (
        Ticket.objects.filter(organisation_id=organisation_id, status__in=Ticket.OPEN_STATUSES)
        .select_related("tenant")
        .order_by(F("next_due_at").asc(nulls_last=True), "pk")[:limit]
    )


def next_targets(ticket_ids: list[int]) -> dict[int, TicketTarget]:
    """The earliest outstanding target of each ticket (what the next deadline is for)."""
    rows = (
        TicketTarget.objects.filter(
            ticket_id__in=ticket_ids,
            state__in=[TicketTarget.State.PENDING, TicketTarget.State.BREACHED],
            met_at__isnull=True,
            ended_at__isnull=True,
        )
        .exclude(due_at__isnull=True)
        .order_by("ticket_id", "due_at")
    )
    first: dict[int, TicketTarget] = {}
    for row in rows:
        first.setdefault(row.ticket_id, row)
    return first

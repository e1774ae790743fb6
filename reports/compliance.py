"""SLA compliance from the stored target record, aggregated in the database.

What counts (said on the pages too):

- A target counts in the period its deadline falls in (in the vendor's time zone). Each
  ongoing-update cycle is a target of its own.
- **Met**: answered at or before the deadline. **Missed**: a breach was recorded (answered late,
  still open past the deadline, or closed or re-measured after the deadline passed), or a pending
  deadline has passed and the sweep has not recorded it yet. **Open and overdue**: missed and
  still waiting for its event. **Not yet due**: pending with its deadline still ahead; it does
  not count towards compliance yet.
- A reclassified or defect-confirmed target is re-measured as a new row: the old row counts
  only if its deadline had passed (a missed target stays missed); otherwise the new one counts.
  Targets of closed or withdrawn tickets that were not due yet do not count.
- Paused targets have no deadline while the ticket waits for the customer; the time paused is
  not clock time used. Deadlines agreed with the customer count as targets on real time.
- Compliance = met ÷ (met + missed). Clock time used is the time the target used on its own
  clock (business hours for business-hours targets) for targets that were met or missed and
  closed; targets still open are left out of the median and p90.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from sla.deadlines import Clock
from tickets.models import TicketTarget

from .models import ComplianceGoal
from .percentiles import PercentilesCont

State = TicketTarget.State
COUNTED = (State.MET, State.BREACHED, State.PENDING)
FRACTIONS = (0.5, 0.9)
# Rows are counted by a column that is never null and is in the report indexes, not by the
# primary key: PostgreSQL's indexes hold no id, and counting it would make every report read
# the table instead of the index alone.
ROW = "due_at"
KIND_ORDER = {kind: index for index, kind in enumerate(TicketTarget.Kind.values)}
DIMENSIONS = {
    "organisation": "organisation_id",
    "tenant": "tenant_id",
    "level": "held_level",
    "engineer": "held_by_id",
}


@dataclass(frozen=True)
class Scope:
    """What a report is narrowed to (a drill-down); empty fields mean everything."""

    organisation_id: int | None = None
    tenant_id: int | None = None
    level: str = ""
    engineer_id: int | None = None
    priority: str = ""
    kind: str = ""

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.organisation_id is not None:
            queryset = queryset.filter(organisation_id=self.organisation_id)
        if self.tenant_id is not None:
            queryset = queryset.filter(tenant_id=self.tenant_id)
        if self.level:
            queryset = queryset.filter(held_level=self.level)
        if self.engineer_id is not None:
            queryset = queryset.filter(held_by_id=self.engineer_id)
        if self.priority:
            queryset = queryset.filter(priority=self.priority)
        if self.kind:
            queryset = queryset.filter(kind=self.kind)
        return queryset

    @property
    def is_narrowed(self) -> bool:
        return any(
            (
                self.organisation_id,
                self.tenant_id,
                self.level,
                self.engineer_id,
                self.priority,
                self.kind,
            )
        )


EVERYTHING = Scope()


def met_q() -> Q:
    return Q(state=State.MET)


def missed_q(now: datetime) -> Q:
    """Missed: a breach recorded, or a pending deadline already past."""
    return Q(state=State.BREACHED) | Q(state=State.PENDING, due_at__lt=now)


def open_overdue_q(now: datetime) -> Q:
    return Q(state=State.BREACHED, met_at__isnull=True, ended_at__isnull=True) | Q(
        state=State.PENDING, due_at__lt=now
    )


def decided_and_closed_q() -> Q:
    """Met or missed, and no longer waiting: the targets whose clock time used is final."""
    return Q(state__in=[State.MET, State.BREACHED]) & (
        Q(met_at__isnull=False) | Q(ended_at__isnull=False)
    )


def not_yet_due_q(now: datetime) -> Q:
    return Q(state=State.PENDING, due_at__gte=now)


def _counted_condition() -> RawSQL:
    """``state IN ('met', 'breached', 'pending')`` with the values written into the SQL:
    SQLite uses a partial index only when the query repeats its condition literally, and Django
    would send bound parameters (PostgreSQL reads it either way)."""
    values = ", ".join(f"'{state.value}'" for state in COUNTED)
    column = f'"{TicketTarget._meta.db_table}"."state"'
    return RawSQL(f"{column} IN ({values})", (), output_field=BooleanField())


def counted_targets(start: datetime, end: datetime, scope: Scope = EVERYTHING) -> QuerySet:
    """Target rows whose deadline falls in ``[start, end)`` and that count: a range of the
    partial index ``target_report_due`` (or of the organisation's or tenant's)."""
    rows = TicketTarget.objects.filter(_counted_condition(), due_at__gte=start, due_at__lt=end)
    return scope.apply(rows)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Figure:
    """One line of a compliance table."""

    priority: str
    kind: str
    basis: str
    clock: str
    met: int
    missed: int
    open_overdue: int
    not_yet_due: int
    median_seconds: float | None
    p90_seconds: float | None
    goal: Decimal

    @property
    def due(self) -> int:
        return self.met + self.missed + self.not_yet_due

    @property
    def decided(self) -> int:
        return self.met + self.missed

    @property
    def compliance(self) -> Decimal | None:
        return _percent(self.met, self.decided)

    @property
    def goal_met(self) -> bool | None:
        return None if self.compliance is None else self.compliance >= self.goal

    @property
    def kind_label(self) -> str:
        label = TicketTarget.Kind(self.kind).label
        if self.basis == TicketTarget.Basis.PRODUCT_DEFECT:
            return f"{label} (product defect)"
        if self.basis == TicketTarget.Basis.AGREED:
            return f"{label} (agreed time)"
        return label

    @property
    def is_business_clock(self) -> bool:
        return self.clock == Clock.BUSINESS


@dataclass
class Totals:
    met: int = 0
    missed: int = 0
    open_overdue: int = 0
    not_yet_due: int = 0
    figures: list[Figure] = field(default_factory=list)

    @property
    def compliance(self) -> Decimal | None:
        return _percent(self.met, self.met + self.missed)


def _order(figure: Figure) -> tuple:
    return (figure.priority or "ZZ", KIND_ORDER.get(figure.kind, 99), figure.basis, figure.clock)


GROUPS = ("priority", "kind", "basis", "clock")


def compliance_rows(
    *, start: datetime, end: datetime, now: datetime, scope: Scope = EVERYTHING
) -> QuerySet:
    """One pass over the period's rows per priority × target (× basis and clock): the counts,
    and the percentiles of the targets that were met or missed and are closed."""
    return (
        counted_targets(start, end, scope)
        .order_by()
        .values(*GROUPS)
        .annotate(
            met=Count(ROW, filter=met_q()),
            missed=Count(ROW, filter=missed_q(now)),
            open_overdue=Count(ROW, filter=open_overdue_q(now)),
            not_yet_due=Count(ROW, filter=not_yet_due_q(now)),
            used=PercentilesCont("used_seconds", FRACTIONS, filter=decided_and_closed_q()),
        )
    )


def compliance(
    *, start: datetime, end: datetime, now: datetime, scope: Scope = EVERYTHING
) -> Totals:
    """Per priority × target (× basis and clock): met, missed, open and overdue, not yet due,
    compliance and the median and p90 clock time used. Two queries and the goals."""
    rows = compliance_rows(start=start, end=end, now=now, scope=scope)
    goals = ComplianceGoal.lookup()
    totals = Totals()
    for row in rows:
        median, p90 = row["used"] or (None, None)
        figure = Figure(
            **{g: row[g] for g in GROUPS},
            met=row["met"],
            missed=row["missed"],
            open_overdue=row["open_overdue"],
            not_yet_due=row["not_yet_due"],
            median_seconds=median,
            p90_seconds=p90,
            goal=goals(row["kind"], row["priority"]),
        )
        totals.figures.append(figure)
        totals.met += figure.met
        totals.missed += figure.missed
        totals.open_overdue += figure.open_overdue
        totals.not_yet_due += figure.not_yet_due
    totals.figures.sort(key=_order)
    return totals


@dataclass(frozen=True)
class DimensionLine:
    """One organisation, tenant, level or engineer in a drill-down."""

    value: object
    met: int
    missed: int
    open_overdue: int

    @property
    def compliance(self) -> Decimal | None:
        return _percent(self.met, self.met + self.missed)


def by_dimension(
    dimension: str, *, start: datetime, end: datetime, now: datetime, scope: Scope = EVERYTHING
) -> list[DimensionLine]:
    """Met, missed and open-overdue targets per organisation, tenant, level or engineer (the
    level and assignee when the target was met or missed), worst compliance first."""
    column = DIMENSIONS[dimension]
    rows = (
        counted_targets(start, end, scope)
        .order_by()
        .values(column)
        .annotate(
            met=Count(ROW, filter=met_q()),
            missed=Count(ROW, filter=missed_q(now)),
            open_overdue=Count(ROW, filter=open_overdue_q(now)),
        )
        .filter(Q(met__gt=0) | Q(missed__gt=0))
    )
    lines = [
        DimensionLine(row[column], row["met"], row["missed"], row["open_overdue"]) for row in rows
    ]
    lines.sort(key=lambda line: (line.compliance is None, line.compliance or 0, -line.missed))
    return lines

"""Reads that the availability pages, the notice job and the statement share.

Each function reads a bounded number of rows in a fixed number of queries (the month page over
1,000 tenants and the status page stay within ten) and leaves the arithmetic to
``sla/availability.py``. Everything organisation-scoped goes through the tenant gate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from operator import attrgetter
from zoneinfo import ZoneInfo

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from sla import availability as arithmetic
from sla.availability import Availability, OutageSpan, Span, WeeklyRule
from sla.services import calendar_for
from tenants.access import object_for_user, scope_for_user
from tenants.models import REGION_OF_DATA_CENTRE, DataCentre, Organisation, Region, Tenant

from .models import (
    AvailabilityTarget,
    MaintenanceKind,
    MaintenanceSlot,
    MaintenanceWindow,
    Outage,
)

ONE_WEEK = timedelta(days=7)
TARGET_PLACES = Decimal("0.001")


# --- time zones --------------------------------------------------------------------------------


def zone_of(organisation: Organisation) -> ZoneInfo:
    """The organisation's SLA calendar's time zone: where its months start and end."""
    return calendar_for(organisation.sla_policy.calendar_id).tz


def regions_of_data_centres(data_centres: Iterable[str]) -> set[str]:
    return {REGION_OF_DATA_CENTRE[DataCentre(dc)] for dc in data_centres}


def data_centres_of(region: str) -> list[str]:
    return [str(dc) for dc, r in REGION_OF_DATA_CENTRE.items() if r == region]


# --- targets -----------------------------------------------------------------------------------


def target_of_policy():
    """The availability target that applies to a row's organisation's policy, as an expression
    (``organisation__sla_policy`` is the path from a tenant): the policy's own target, else the
    default row's. The one place that rule lives."""
    own = AvailabilityTarget.objects.filter(policy=OuterRef("organisation__sla_policy"))
    default = AvailabilityTarget.objects.filter(policy__isnull=True)
    return Coalesce(
        Subquery(own.values("percent")[:1]),
        Subquery(default.values("percent")[:1]),
        output_field=DecimalField(max_digits=6, decimal_places=3),
    )


# --- maintenance windows -----------------------------------------------------------------------


def weekly_rules() -> dict[str, list[WeeklyRule]]:
    """The weekly slots of every region as recurrence rules, each in force until the next slot
    of its region takes over."""
    rules: dict[str, list[WeeklyRule]] = defaultdict(list)
    slots = list(
        MaintenanceSlot.objects.filter(kind=MaintenanceKind.WEEKLY).order_by("effective_from")
    )
    for index, slot in enumerate(slots):
        following = next(
            (s.effective_from for s in slots[index + 1 :] if s.region == slot.region), None
        )
        rules[slot.region].append(
            WeeklyRule(
                weekday=slot.weekday,
                start=slot.starts_at,
                length=slot.duration,
                effective_from=slot.effective_from,
                effective_until=following,
            )
        )
    return rules


def quarterly_slot(region: str, on: datetime) -> MaintenanceSlot | None:
    """The quarterly slot of ``region`` in force at ``on``."""
    return (
        MaintenanceSlot.objects.filter(
            region=region, kind=MaintenanceKind.QUARTERLY, effective_from__lte=on
        )
        .order_by("-effective_from")
        .first()
    )


def _occurrence(region: str, span: Span) -> MaintenanceWindow:
    """A weekly occurrence that has no row yet, as an unsaved window."""
    return MaintenanceWindow(
        region=region,
        kind=MaintenanceKind.WEEKLY,
        planned_starts_at=span.start,
        planned_ends_at=span.end,
        starts_at=span.start,
        ends_at=span.end,
    )


def maintenance_windows(
    regions: Iterable[str], within: Span, *, rules: dict[str, list[WeeklyRule]] | None = None
) -> dict[str, list[MaintenanceWindow]]:
    """Every maintenance window of ``regions`` that overlaps ``within``, per region, in order:
    the stored rows (cancelled ones included, so pages can show them) laid over the weekly
    recurrence. A weekly occurrence without a row is an unsaved ``MaintenanceWindow``.

    Two queries (slots and rows), or one when ``rules`` are passed in.
    """
    regions = sorted(set(regions))
    result: dict[str, list[MaintenanceWindow]] = {region: [] for region in regions}
    if not regions:
        return result
    rules = weekly_rules() if rules is None else rules
    # Rows whose time in force overlaps, and rows whose reserved occurrence would otherwise be
    # generated here (a weekly window moved out of the span, or cancelled).
    rows = MaintenanceWindow.objects.filter(region__in=regions).filter(
        Q(starts_at__lt=within.end, ends_at__gt=within.start)
        | Q(planned_starts_at__lt=within.end, planned_starts_at__gte=within.start - ONE_WEEK)
    )
    taken = set()
    for row in rows:
        taken.add((row.region, row.kind, row.planned_starts_at))
        if row.starts_at < within.end and row.ends_at > within.start:
            result[row.region].append(row)
    for region in regions:
        for rule in rules.get(region, ()):
            for span in arithmetic.weekly_occurrences(rule, within):
                if (region, MaintenanceKind.WEEKLY, span.start) not in taken:
                    result[region].append(_occurrence(region, span))
        result[region].sort(key=lambda w: (w.starts_at, w.kind))
    return result


def excluded_spans(windows: Iterable[MaintenanceWindow]) -> list[Span]:
    """The windows that are excluded from availability: every window not cancelled, used or not
    (§5.1: "Maintenance windows are excluded from availability calculations")."""
    return [Span(w.starts_at, w.ends_at) for w in windows if not w.is_cancelled]


def used_spans(windows: Iterable[MaintenanceWindow]) -> list[Span]:
    """The windows actually used: what a status page shows as maintenance."""
    return [Span(w.starts_at, w.ends_at) for w in windows if w.used and not w.is_cancelled]


def window_for_user(user, window_id) -> MaintenanceWindow:
    """A stored window: support staff see every one, a customer those of the regions their
    organisation has tenants in; anything else is a 404."""
    windows = MaintenanceWindow.objects.all()
    if user.is_authenticated and user.is_customer:
        regions = regions_of_data_centres(
            Tenant.objects.filter(organisation_id=user.organisation_id).values_list(
                "data_centre", flat=True
            )
        )
        windows = windows.filter(region__in=regions)
    elif not (user.is_authenticated and (user.is_support_staff or user.is_superuser)):
        windows = windows.none()
    try:
        return windows.get(pk=window_id)
    except (MaintenanceWindow.DoesNotExist, ValueError, TypeError):
        raise Http404("No maintenance window found.") from None


# --- outages -----------------------------------------------------------------------------------


def outages_for_user(user) -> QuerySet[Outage]:
    return scope_for_user(
        Outage.objects.select_related("tenant__organisation", "recorded_by"),
        user,
        organisation_path="tenant__organisation",
    )


def outage_for_user(user, outage_id) -> Outage:
    """The outage if ``user`` may see it (their organisation's tenant, or staff), else 404."""
    return object_for_user(
        Outage.objects.select_related("tenant__organisation__sla_policy", "recorded_by"),
        user,
        outage_id,
        organisation_path="tenant__organisation",
    )


def overlapping_outages(within: Span, **filters) -> QuerySet[Outage]:
    """Outages that overlap ``within`` (ongoing ones included)."""
    return Outage.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=within.start),
        starts_at__lt=within.end,
        **filters,
    )


def as_outage_span(outage: Outage) -> OutageSpan:
    return OutageSpan(outage.starts_at, outage.ends_at, full=outage.is_full)


def current_states(tenants: Iterable[Tenant], now: datetime) -> dict[int, str]:
    """Each tenant's state at ``now`` (a ``DayState``), as the status page shows it: an ongoing
    outage, maintenance in progress in a window marked used, or operational; tenants not yet
    provisioned are not measured. Two queries whatever the number of tenants, for pages that
    show the state beside other things (the customer's home page)."""
    tenants = list(tenants)
    if not tenants:
        return {}
    outages: dict[int, list[OutageSpan]] = defaultdict(list)
    for outage in overlapping_outages(
        Span(now, now + timedelta(seconds=1)), tenant_id__in=[t.pk for t in tenants]
    ):
        outages[outage.tenant_id].append(as_outage_span(outage))
    used: dict[str, list[Span]] = defaultdict(list)
    for window in MaintenanceWindow.objects.filter(
        region__in={t.region for t in tenants},
        used=True,
        cancelled_at__isnull=True,
        starts_at__lte=now,
        ends_at__gt=now,
    ):
        used[window.region].append(Span(window.starts_at, window.ends_at))
    return {
        t.pk: arithmetic.current_state(now=now, outages=outages[t.pk], maintenance=used[t.region])
        if t.provisioned_at is not None and t.provisioned_at <= now
        else arithmetic.DayState.NOT_MEASURED
        for t in tenants
    }


# --- tenants and their months ------------------------------------------------------------------


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True, slots=True)
class TenantRow:
    """What a tenant's month needs, as plain values: building model instances (tenant,
    organisation, policy, calendar) for 1,000 tenants cost more than the arithmetic."""

    pk: int
    name: str
    kind: str
    data_centre: str
    provisioned_at: datetime | None
    organisation_id: int
    organisation_name: str
    terminated_on: date | None
    time_zone: str
    target: Decimal | None
    region: str
    tz: ZoneInfo

    def get_region_display(self) -> str:
        return Region(self.region).label

    def get_kind_display(self) -> str:
        return Tenant.Kind(self.kind).label

    def get_data_centre_display(self) -> str:
        return DataCentre(self.data_centre).label

    @property
    def measured_until(self) -> datetime | None:
        """When measurement ends: at the end of the organisation's termination day."""
        if self.terminated_on is None:
            return None
        return arithmetic.local_day_end(self.terminated_on, self.tz)


TENANT_ROW_FIELDS = {
    "pk": "pk",
    "name": "name",
    "kind": "kind",
    "data_centre": "data_centre",
    "provisioned_at": "provisioned_at",
    "organisation_id": "organisation_id",
    "organisation_name": "organisation__name",
    "terminated_on": "organisation__terminated_on",
    "time_zone": "organisation__sla_policy__calendar__time_zone",
    "target": "availability_target",
}


def _target(value) -> Decimal | None:
    # To the three places the row holds (SQLite hands an expression's decimal back with more).
    return None if value is None else Decimal(value).quantize(TARGET_PLACES)


def tenant_rows(tenants: QuerySet[Tenant]) -> list[TenantRow]:
    """``tenants`` (any queryset of tenants, already scoped) as ``TenantRow``s: one query."""
    rows = tenants.annotate(availability_target=target_of_policy()).values_list(
        *TENANT_ROW_FIELDS.values()
    )
    result = []
    for values in rows:
        row = dict(zip(TENANT_ROW_FIELDS, values, strict=True))
        row["target"] = _target(row["target"])
        row["region"] = REGION_OF_DATA_CENTRE[row["data_centre"]]
        row["tz"] = _zone(row["time_zone"])
        result.append(TenantRow(**row))
    return result


def tenants_with_zone() -> QuerySet[Tenant]:
    """Tenants with their organisation, its policy and that policy's calendar joined (for the
    pages that show one tenant)."""
    return Tenant.objects.select_related("organisation__sla_policy__calendar")


def tenant_for_user(user, tenant_id) -> Tenant:
    return object_for_user(tenants_with_zone(), user, tenant_id)


def tenant_row_for_user(user, tenant_id) -> TenantRow:
    """One tenant's row, if ``user`` may see it, else 404."""
    rows = tenant_rows(scope_for_user(Tenant.objects.all(), user).filter(pk=tenant_id))
    if not rows:
        raise Http404("No tenant found.")
    return rows[0]


def tenant_zone(tenant: Tenant) -> ZoneInfo:
    """The tenant's months' time zone, from the calendar joined by ``tenants_with_zone``."""
    return tenant.organisation.sla_policy.calendar.tz


@dataclass
class TenantMonth:
    """One tenant's availability in one month, with what it was computed from."""

    tenant: TenantRow
    year: int
    month: int
    period: Span
    measured: Span | None
    figures: Availability | None
    windows: list[MaintenanceWindow] = field(default_factory=list)
    outages: list[Outage] = field(default_factory=list)

    @property
    def target(self) -> Decimal | None:
        return self.tenant.target

    @property
    def percent(self) -> Decimal | None:
        return self.figures.percent if self.figures else None

    @cached_property
    def meets(self) -> bool | None:
        if self.figures is None or self.target is None:
            return None
        return self.figures.meets(self.target)

    @property
    def below_target(self) -> bool:
        return self.meets is False


def month_bounds(year: int, month: int, zones: Iterable[ZoneInfo]) -> Span:
    """A span covering the month in every one of ``zones`` (months differ by hours between
    zones): what to read rows for."""
    spans = [arithmetic.month_span(year, month, tz) for tz in set(zones)]
    return Span(min(s.start for s in spans), max(s.end for s in spans))


STARTS_AT, ENDS_AT = attrgetter("starts_at"), attrgetter("ends_at")  # of rows
START, END = attrgetter("start"), attrgetter("end")  # of spans


def _overlapping(items, period: Span, start, end):
    return [i for i in items if start(i) < period.end and (end(i) is None or end(i) > period.start)]


def tenant_months(
    tenants: list[TenantRow], year: int, month: int, *, now: datetime, with_details: bool = False
) -> list[TenantMonth]:
    """The availability of each of ``tenants`` in a month, measured so far when the month is
    running. Tenants not measured in the month (not yet provisioned, or terminated before it)
    come back with ``figures`` None. ``with_details`` keeps each month's windows and outages
    (model instances) for pages that list them.

    Three queries whatever the number of tenants: slots, windows, outages.
    """
    if not tenants:
        return []
    bounds = month_bounds(year, month, {t.tz for t in tenants})
    windows = maintenance_windows({t.region for t in tenants}, bounds)
    tenant_ids = {t.pk for t in tenants}
    query = overlapping_outages(bounds).order_by("starts_at", "pk")
    if len(tenant_ids) <= 100:
        query = query.filter(tenant_id__in=tenant_ids)
    outages: dict[int, list] = defaultdict(list)
    if with_details:
        for outage in query:
            outages[outage.tenant_id].append(outage)
    else:
        # Plain values: the month of every tenant needs only the times.
        for tenant_id, starts_at, ends_at, scope in query.values_list(
            "tenant_id", "starts_at", "ends_at", "scope"
        ):
            if tenant_id in tenant_ids:
                outages[tenant_id].append(
                    OutageSpan(starts_at, ends_at, full=scope == Outage.Scope.FULL)
                )
    # Month spans per zone, windows per region and month span: shared by the tenants there.
    periods = {tz: arithmetic.month_span(year, month, tz) for tz in {t.tz for t in tenants}}
    shared: dict[tuple[str, Span], tuple[list[MaintenanceWindow], list[Span]]] = {}
    result = []
    for tenant in tenants:
        period = periods[tenant.tz]
        key = (tenant.region, period)
        if key not in shared:
            in_month = _overlapping(windows[tenant.region], period, STARTS_AT, ENDS_AT)
            shared[key] = (in_month, excluded_spans(in_month))
        region_windows, excluded = shared[key]
        measured = arithmetic.measured_span(
            period,
            provisioned_at=tenant.provisioned_at,
            terminated_at=tenant.measured_until,
            until=now,
        )
        own = outages[tenant.pk]
        if with_details:
            tenant_outages = _overlapping(own, period, STARTS_AT, ENDS_AT)
            spans = [as_outage_span(o) for o in tenant_outages]
        else:
            tenant_outages, spans = [], _overlapping(own, period, START, END)
        figures = None
        if measured is not None:
            figures = arithmetic.availability(
                measured=measured, maintenance=excluded, outages=spans, now=now
            )
        result.append(
            TenantMonth(
                tenant=tenant,
                year=year,
                month=month,
                period=period,
                measured=measured,
                figures=figures,
                windows=region_windows if with_details else [],
                outages=tenant_outages,
            )
        )
    return result


def months_back(year: int, month: int, count: int) -> list[tuple[int, int]]:
    """``count`` months ending with (``year``, ``month``), oldest first, as (year, month)."""
    index = year * 12 + month - 1
    return [(i // 12, i % 12 + 1) for i in range(index - count + 1, index + 1)]


def tenant_history(tenant: TenantRow, *, year: int, month: int, count: int, now: datetime):
    """The tenant's availability in each of ``count`` months up to (``year``, ``month``),
    oldest first: three queries for the whole stretch."""
    months = months_back(year, month, count)
    tz = tenant.tz
    bounds = Span(
        arithmetic.month_span(*months[0], tz).start, arithmetic.month_span(*months[-1], tz).end
    )
    windows = excluded_spans(maintenance_windows([tenant.region], bounds)[tenant.region])
    outages = [as_outage_span(o) for o in overlapping_outages(bounds, tenant_id=tenant.pk)]
    history = []
    for y, m in months:
        period = arithmetic.month_span(y, m, tz)
        measured = arithmetic.measured_span(
            period,
            provisioned_at=tenant.provisioned_at,
            terminated_at=tenant.measured_until,
            until=now,
        )
        figures = (
            arithmetic.availability(
                measured=measured, maintenance=windows, outages=outages, now=now
            )
            if measured
            else None
        )
        history.append(
            TenantMonth(
                tenant=tenant, year=y, month=m, period=period, measured=measured, figures=figures
            )
        )
    return history


def current_month(now: datetime, tz: ZoneInfo) -> tuple[int, int]:
    local = now.astimezone(tz)
    return local.year, local.month


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)

"""The SLA engine's ORM-aware side: turn policies and calendars into deadline inputs.

Callers elsewhere (tickets, reports) use only these functions and ``sla.deadlines``; they never
read ``PolicyTarget`` or ``OpeningWindow`` rows themselves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from .deadlines import (
    BusinessCalendar,
    Clock,
    Target,
    TargetKind,
    business_intervals,
    due_at,
    measuring_start,
    warning_at,
)
from .models import (
    STANDARD_POLICY_SLUG,
    Calendar,
    OpeningWindow,
    Policy,
    PolicyTarget,
    Priority,
)
from .standard import HELSINKI_CALENDAR, HELSINKI_WINDOWS, STANDARD_POLICY, STANDARD_TARGETS

# Other processes (workers, other web servers) learn about an admin edit when they next check
# the calendar's ``updated_at``; the process that made the edit forgets its copy at once.
DEFAULT_RECHECK_SECONDS = 30.0


@dataclass(frozen=True)
class _CachedCalendar:
    calendar: BusinessCalendar
    updated_at: datetime
    checked_at: float


_calendars: dict[int, _CachedCalendar] = {}
_policy_rows: dict[int, tuple[datetime, dict[tuple[str, str], PolicyTarget]]] = {}
_lock = threading.Lock()


def _recheck_seconds() -> float:
    return float(getattr(settings, "SLA_CALENDAR_RECHECK_SECONDS", DEFAULT_RECHECK_SECONDS))


def build_calendar(calendar: Calendar) -> BusinessCalendar:
    """The pure ``BusinessCalendar`` for a ``Calendar`` row (three queries)."""
    windows: dict[int, list] = {}
    for window in calendar.windows.all():
        windows.setdefault(window.weekday, []).append((window.opens, window.closes))
    minutes = calendar.business_day_minutes
    return BusinessCalendar(
        tz=calendar.tz,
        windows=windows,
        closed_dates=frozenset(calendar.closure_days.values_list("date", flat=True)),
        open_dates=frozenset(calendar.open_days.values_list("date", flat=True)),
        holiday_country=calendar.holiday_country,
        holiday_subdivision=calendar.holiday_subdivision,
        business_day_seconds=minutes * 60 if minutes else None,
    )


def calendar_for(calendar_id: int) -> BusinessCalendar:
    """The business calendar of ``Calendar`` ``calendar_id``, cached per process.

    A cached calendar is used without touching the database for ``SLA_CALENDAR_RECHECK_SECONDS``
    (30 s by default); after that one small query compares ``updated_at`` and rebuilds the
    calendar if an administrator changed it. Raises ``Calendar.DoesNotExist``.
    """
    entry = _calendars.get(calendar_id)
    now = time.monotonic()
    if entry is not None and now - entry.checked_at < _recheck_seconds():
        return entry.calendar
    stamp = Calendar.objects.filter(pk=calendar_id).values_list("updated_at", flat=True).first()
    if stamp is None:
        raise Calendar.DoesNotExist(f"There is no SLA calendar with id {calendar_id}.")
    if entry is not None and entry.updated_at == stamp:
        _calendars[calendar_id] = _CachedCalendar(entry.calendar, stamp, now)
        return entry.calendar
    row = Calendar.objects.get(pk=calendar_id)
    built = build_calendar(row)
    with _lock:
        _calendars[calendar_id] = _CachedCalendar(built, row.updated_at, now)
    return built


def forget_cached(*, calendar_id: int | None = None, policy_id: int | None = None) -> None:
    """Drop cached copies (all of them when called without arguments)."""
    global _standard_calendar
    with _lock:
        if calendar_id is None and policy_id is None:
            _calendars.clear()
            _policy_rows.clear()
            _standard_calendar = None
        if calendar_id is not None:
            _calendars.pop(calendar_id, None)
        if policy_id is not None:
            _policy_rows.pop(policy_id, None)


def calendar_mark_changed(*, calendar: Calendar) -> None:
    """Call after changing a calendar's windows, closure or open days: stamps the calendar so
    that every process rebuilds it, and forgets this process's copy now."""
    calendar.touch()
    forget_cached(calendar_id=calendar.pk)


def policy_mark_changed(*, policy: Policy) -> None:
    """Call after changing a policy's targets (see ``calendar_mark_changed``)."""
    policy.touch()
    forget_cached(policy_id=policy.pk)


@transaction.atomic
def standard_policy_ensure() -> Policy:
    """The default policy, created with its calendar if the database lacks it (the migration
    normally made it; a flushed test database has not)."""
    calendar_fields = dict(HELSINKI_CALENDAR)
    calendar, created = Calendar.objects.get_or_create(
        slug=calendar_fields.pop("slug"), defaults=calendar_fields
    )
    if created:
        OpeningWindow.objects.bulk_create(
            OpeningWindow(calendar=calendar, weekday=weekday, opens=opens, closes=closes)
            for weekday, opens, closes in HELSINKI_WINDOWS
        )
    policy_fields = dict(STANDARD_POLICY)
    policy, created = Policy.objects.get_or_create(
        slug=policy_fields.pop("slug"), defaults={**policy_fields, "calendar": calendar}
    )
    if created:
        PolicyTarget.objects.bulk_create(
            PolicyTarget(
                policy=policy, priority=priority, kind=kind, clock=clock, amount=amount, unit=unit
            )
            for priority, kind, clock, amount, unit in STANDARD_TARGETS
        )
    return policy


def vendor_time_zone() -> ZoneInfo:
    """The vendor's time zone: the standard policy's calendar's (Europe/Helsinki). Reports'
    months and what concerns every customer at once start and end there."""
    calendar_id = (
        Policy.objects.filter(slug=STANDARD_POLICY_SLUG)
        .values_list("calendar_id", flat=True)
        .first()
    )
    if calendar_id is None:
        raise Policy.DoesNotExist(f"The default SLA policy '{STANDARD_POLICY_SLUG}' is missing.")
    return calendar_for(calendar_id).tz


def policy_by_slug(slug: str) -> Policy:
    """The policy with ``slug``; raises ``Policy.DoesNotExist``."""
    return Policy.objects.select_related("calendar").get(slug=slug)


def _rows(policy: Policy) -> dict[tuple[str, str], PolicyTarget]:
    """A policy's target rows by (priority, kind), cached while ``policy.updated_at`` holds."""
    cached = _policy_rows.get(policy.pk)
    if cached is not None and cached[0] == policy.updated_at:
        return cached[1]
    rows = {(row.priority, row.kind): row for row in PolicyTarget.objects.filter(policy=policy)}
    with _lock:
        _policy_rows[policy.pk] = (policy.updated_at, rows)
    return rows


def _kind(kind: TargetKind | str) -> TargetKind:
    try:
        return TargetKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in TargetKind)
        raise ValueError(f"Unknown target kind {kind!r}; use one of {choices}.") from None


def priorities_of(policy: Policy) -> list[str]:
    """The priorities for which ``policy`` defines at least one target, in order."""
    used = {priority for priority, _ in _rows(policy)}
    return [p for p in Priority.values if p in used]


def target_for(
    *,
    policy: Policy,
    priority: str,
    kind: TargetKind | str,
    product_defect: bool = False,
) -> Target | None:
    """What ``policy`` promises for ``priority`` and ``kind``, or ``None`` for no target.

    For ongoing updates of a confirmed product defect the policy's defect target applies when
    it defines one (P3: 10 business days in the standard policy), else the normal one.
    """
    kind = _kind(kind)
    if kind == TargetKind.DELIVERY:
        return minor_delivery_target(policy)
    rows = _rows(policy)
    row = None
    if kind == TargetKind.ONGOING_UPDATE and product_defect:
        row = rows.get((priority, PolicyTarget.Kind.ONGOING_UPDATE_DEFECT))
    if row is None:
        row = rows.get((priority, kind.value))
    if row is None:
        return None
    day_seconds = 0
    if row.unit == PolicyTarget.Unit.BUSINESS_DAYS:
        day_seconds = calendar_for(policy.calendar_id).day_seconds
    return Target(
        clock=Clock(row.clock),
        seconds=row.seconds(day_seconds),
        count_from_next_day=row.count_from_next_day,
    )


def minor_delivery_target(policy: Policy) -> Target:
    """The delivery target of a minor service request: the policy's business days."""
    day_seconds = calendar_for(policy.calendar_id).day_seconds
    return Target(clock=Clock.BUSINESS, seconds=policy.minor_request_delivery_days * day_seconds)


def compute_due(
    *,
    policy: Policy,
    priority: str,
    kind: TargetKind | str,
    start: datetime,
    product_defect: bool = False,
    pauses: Sequence[tuple[datetime, datetime]] = (),
) -> datetime | None:
    """The UTC deadline of one target measured from ``start``; ``None`` without a target."""
    target = target_for(policy=policy, priority=priority, kind=kind, product_defect=product_defect)
    return due_at(calendar_for(policy.calendar_id), target, start, pauses)


def compute_warning(
    *,
    policy: Policy,
    priority: str,
    kind: TargetKind | str,
    start: datetime,
    product_defect: bool = False,
    pauses: Sequence[tuple[datetime, datetime]] = (),
) -> datetime | None:
    """When to warn about that target: ``policy.warning_share`` of its clock time used."""
    target = target_for(policy=policy, priority=priority, kind=kind, product_defect=product_defect)
    calendar = calendar_for(policy.calendar_id)
    return warning_at(calendar, target, start, policy.warning_share, pauses)


@dataclass(frozen=True)
class DueExplanation:
    """A deadline with how it was reached, for the calculator."""

    policy: Policy
    priority: str
    kind: TargetKind
    start: datetime
    target: Target | None
    counting_from: datetime | None
    due: datetime | None
    warning: datetime | None
    intervals: list[tuple[datetime, datetime]]

    @property
    def counted_seconds(self) -> int:
        return sum(int((end - begin).total_seconds()) for begin, end in self.intervals)

    @property
    def interval_rows(self) -> list[tuple[datetime, datetime, int, int]]:
        """``(from, until, seconds, running total)`` per counted interval."""
        rows, total = [], 0
        for begin, end in self.intervals:
            seconds = int((end - begin).total_seconds())
            total += seconds
            rows.append((begin, end, seconds, total))
        return rows


def explain_due(
    *,
    policy: Policy,
    priority: str,
    kind: TargetKind | str,
    start: datetime,
    product_defect: bool = False,
) -> DueExplanation:
    """The deadline of one target with the stretches of clock time that were counted."""
    kind = _kind(kind)
    target = target_for(policy=policy, priority=priority, kind=kind, product_defect=product_defect)
    calendar = calendar_for(policy.calendar_id)
    due = due_at(calendar, target, start)
    counting_from = None
    intervals: list[tuple[datetime, datetime]] = []
    if target is not None and due is not None:
        counting_from = measuring_start(calendar, target, start).astimezone(UTC)
        if target.clock == Clock.BUSINESS:
            intervals = business_intervals(calendar, counting_from, due)
        elif due > counting_from:
            intervals = [(counting_from, due)]
    return DueExplanation(
        policy=policy,
        priority=priority,
        kind=kind,
        start=start,
        target=target,
        counting_from=counting_from,
        due=due,
        warning=warning_at(calendar, target, start, policy.warning_share),
        intervals=intervals,
    )

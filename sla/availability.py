"""Service availability arithmetic: pure functions over aware instants, no ORM, no settings.

The monthly availability of a tenant (service description §4.3.1, SPEC "Reports") is

    (minutes in month − maintenance minutes − unavailable minutes outside maintenance)
    ---------------------------------------------------------------------------------
                       (minutes in month − maintenance minutes)

with these rules, each decided in exactly one function below:

- A month starts and ends at local midnight in the vendor's time zone (``month_span``), so
  October in Helsinki has 745 hours and March 743. Everything after that is exact UTC time.
- Only the measured part of the month counts: from the tenant's provisioning to the end of
  the organisation's termination day, and for the running month up to "now"
  (``measured_span``).
- Maintenance windows (weekly recurrences in exact UTC, ``weekly_occurrences``, and scheduled
  quarterly windows) are excluded whether or not they were used: §5.1 reserves them. Windows
  that overlap count once (``merge``).
- Overlapping outages count once; an outage partly inside a window counts only its part outside
  it (``subtract``); an ongoing outage runs until "now".
- Only full outages make a tenant unavailable; partial ones (a degradation) are shown but not
  counted (``counts_as_unavailable``, explained to readers by ``PARTIAL_OUTAGES_EXPLAINED``).

Callers (the ``availability`` app) load rows, turn them into ``Span`` and ``OutageSpan`` values,
and format the results in the vendor's time zone at the edge.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from operator import attrgetter
from zoneinfo import ZoneInfo

__all__ = [
    "PARTIAL_OUTAGES_EXPLAINED",
    "Availability",
    "DayState",
    "OutageSpan",
    "Span",
    "WeeklyRule",
    "availability",
    "counts_as_unavailable",
    "current_state",
    "day_spans",
    "day_states",
    "local_day_end",
    "measured_span",
    "merge",
    "month_span",
    "outage_counted_time",
    "preliminary_notice_at",
    "subtract",
    "total",
    "weekly_occurrences",
]

ONE_WEEK = timedelta(days=7)
ONE_MICROSECOND = timedelta(microseconds=1)
PERCENT_PLACES = 3  # 99.920 %: the target has two decimals, one more shows how close it was

PARTIAL_OUTAGES_EXPLAINED = (
    "Only full outages count as unavailable time. A partial outage (the service works but is "
    "degraded, for example one channel or some agents affected) is shown beside the figure "
    "but does not lower it; the incident behind it is measured by its priority's SLA instead."
)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{name} must be an aware datetime, got naive {value.isoformat()}")


@dataclass(frozen=True, order=True)
class Span:
    """A half-open stretch of real time ``[start, end)``, held in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        # Rows from the database arrive in UTC already: only other zones are checked and moved
        # (spans are built by the thousand on the month page).
        for name in ("start", "end"):
            value = getattr(self, name)
            if value.tzinfo is not UTC:
                _require_aware(value, name)
                object.__setattr__(self, name, value.astimezone(UTC))
        if self.end < self.start:
            raise ValueError(f"A span cannot end before it starts: {self.start} – {self.end}")

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        """Whether the two share some time (an empty span shares none)."""
        return max(self.start, other.start) < min(self.end, other.end)

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


@dataclass(frozen=True)
class OutageSpan:
    """An outage as the arithmetic sees it: ``end`` is None while it is ongoing."""

    start: datetime
    end: datetime | None
    full: bool

    def until(self, now: datetime) -> Span:
        """The outage as a span, an ongoing one running until ``now``."""
        end = self.end if self.end is not None else max(now, self.start)
        return Span(self.start, end)


def counts_as_unavailable(outage: OutageSpan) -> bool:
    """Whether an outage lowers availability: full outages do, partial ones do not (see
    ``PARTIAL_OUTAGES_EXPLAINED``)."""
    return outage.full


# --- months and days ---------------------------------------------------------------------------


def month_span(year: int, month: int, tz: ZoneInfo) -> Span:
    """The month from local midnight of its first day to local midnight of the next month's."""
    if not 1 <= month <= 12:
        raise ValueError(f"There is no month {month}.")
    start = datetime(year, month, 1, tzinfo=tz)
    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return Span(start, following)


def local_day_end(day: date, tz: ZoneInfo) -> datetime:
    """The instant local ``day`` ends (midnight of the next day), in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)


def day_spans(first: date, days: int, tz: ZoneInfo) -> list[tuple[date, Span]]:
    """``days`` consecutive local days from ``first``, each as a span of real time (23 or 25
    hours on DST days)."""
    result = []
    for n in range(days):
        day = first + timedelta(days=n)
        start = datetime.combine(day, time(0), tz)
        result.append((day, Span(start, local_day_end(day, tz))))
    return result


def measured_span(
    period: Span,
    *,
    provisioned_at: datetime | None,
    terminated_at: datetime | None = None,
    until: datetime | None = None,
) -> Span | None:
    """The part of ``period`` that is measured: from provisioning, up to termination and
    ``until`` (pass "now" so that a running month is measured so far). None when nothing of
    the period is measured (not yet provisioned, or terminated before it)."""
    if provisioned_at is None:
        return None
    start = max(period.start, provisioned_at)
    end = period.end
    for bound in (terminated_at, until):
        if bound is not None:
            end = min(end, bound)
    if end <= start:
        return None
    return Span(start, end)


# --- sets of spans -----------------------------------------------------------------------------


def _span(start: datetime, end: datetime) -> Span:
    """A span of values already checked (UTC, in order): the set operations below make them by
    the thousand for a month page, and they come from spans that were checked."""
    span = object.__new__(Span)
    object.__setattr__(span, "start", start)
    object.__setattr__(span, "end", end)
    return span


def _merged(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in sorted((s for s in spans if s.end > s.start), key=_BOUNDS):
        if merged and span.start <= merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = _span(merged[-1].start, span.end)
        else:
            merged.append(span)
    return merged


_BOUNDS = attrgetter("start", "end")


def merge(spans: Iterable[Span]) -> list[Span]:
    """The union of ``spans`` as sorted, disjoint spans; overlapping or touching ones join and
    empty ones vanish."""
    return _merged(spans)


def clip(spans: Iterable[Span], within: Span) -> list[Span]:
    """The parts of ``spans`` inside ``within``."""
    low, high = within.start, within.end
    return [
        _span(max(s.start, low), min(s.end, high)) for s in spans if s.start < high and low < s.end
    ]


def _cut(merged: list[Span], holes: list[Span]) -> list[Span]:
    """``merged`` minus ``holes``, both sorted and disjoint: one pass over both."""
    result: list[Span] = []
    index = 0
    for span in merged:
        start = span.start
        while index < len(holes) and holes[index].end <= start:
            index += 1
        probe = index
        while probe < len(holes) and holes[probe].start < span.end:
            hole = holes[probe]
            if hole.start > start:
                result.append(_span(start, hole.start))
            start = max(start, hole.end)
            probe += 1
        if start < span.end:
            result.append(_span(start, span.end))
    return result


def subtract(spans: Iterable[Span], holes: Iterable[Span]) -> list[Span]:
    """The parts of the union of ``spans`` that lie outside every hole."""
    return _cut(_merged(spans), _merged(holes))


def _length(disjoint: list[Span]) -> timedelta:
    return sum((s.end - s.start for s in disjoint), timedelta(0))


def total(spans: Iterable[Span]) -> timedelta:
    """The length of the union of ``spans`` (overlaps count once)."""
    return _length(_merged(spans))


# --- maintenance windows -----------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyRule:
    """A weekly window in exact UTC (service description §5.1.1: "Sat 10 PM – Sun 2 AM UTC"):
    it starts every ``weekday`` (0 = Monday, the weekday in UTC) at ``start`` UTC and lasts
    ``length``, for occurrences starting from ``effective_from`` and before ``effective_until``."""

    weekday: int
    start: time
    length: timedelta
    effective_from: datetime
    effective_until: datetime | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        if not timedelta(0) < self.length <= ONE_WEEK:
            raise ValueError("A weekly window lasts more than nothing and at most a week.")
        _require_aware(self.effective_from, "effective_from")


def weekly_occurrences(rule: WeeklyRule, within: Span) -> list[Span]:
    """Every occurrence of ``rule`` that overlaps ``within``, in order. Occurrences are exactly
    seven days of real time apart: daylight saving time anywhere cannot move them."""
    lower = max(within.start - rule.length, rule.effective_from.astimezone(UTC))
    day = lower.date()
    start = datetime.combine(day, rule.start, UTC) + timedelta(
        days=(rule.weekday - day.weekday()) % 7
    )
    if start < lower:
        start += ONE_WEEK
    occurrences = []
    while start < within.end and (rule.effective_until is None or start < rule.effective_until):
        occurrence = Span(start, start + rule.length)
        if occurrence.end > within.start:
            occurrences.append(occurrence)
        start += ONE_WEEK
    return occurrences


def preliminary_notice_at(start: datetime, tz: ZoneInfo, at: time) -> datetime:
    """When the preliminary notice of a window starting at ``start`` is due: at local time
    ``at`` on the Tuesday before the maintenance weekend (§5.1.3), i.e. the last Tuesday
    strictly before the local day the window starts on."""
    _require_aware(start, "start")
    day = start.astimezone(tz).date()
    back = (day.weekday() - 1) % 7 or 7  # Tuesday is weekday 1
    return datetime.combine(day - timedelta(days=back), at, tz).astimezone(UTC)


# --- availability ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """The figures behind one availability percentage."""

    measured: Span
    maintenance: timedelta  # maintenance inside the measured span
    unavailable: timedelta  # counted downtime inside the measured span, outside maintenance

    @property
    def scheduled(self) -> timedelta:
        """The denominator: measured time that is not maintenance."""
        return self.measured.length - self.maintenance

    @property
    def available(self) -> timedelta:
        return self.scheduled - self.unavailable

    @cached_property
    def _micros(self) -> tuple[int, int]:
        """(available, scheduled) in whole microseconds: exact integers for the comparisons."""
        return self.available // ONE_MICROSECOND, self.scheduled // ONE_MICROSECOND

    @property
    def ratio(self) -> Fraction | None:
        """Available share of scheduled time, exact; None when nothing was scheduled."""
        available, scheduled = self._micros
        return Fraction(available, scheduled) if scheduled > 0 else None

    @cached_property
    def percent(self) -> Decimal | None:
        """The percentage rounded down to ``PERCENT_PLACES`` decimals, so that a figure just
        below the target never reads as the target."""
        available, scheduled = self._micros
        if scheduled <= 0:
            return None
        floored = (available * 100 * 10**PERCENT_PLACES) // scheduled
        return Decimal(floored).scaleb(-PERCENT_PLACES)

    def meets(self, target_percent: Decimal) -> bool | None:
        """Whether the exact figure reaches ``target_percent``; None when not measured.
        Compared as integers (available × 100 × q ≥ scheduled × p for a target of p/q), which
        is exact and, unlike fractions of microsecond counts, cheap."""
        available, scheduled = self._micros
        if scheduled <= 0:
            return None
        numerator, denominator = Decimal(target_percent).as_integer_ratio()
        return available * 100 * denominator >= scheduled * numerator

    def allowance(self, target_percent: Decimal) -> timedelta:
        """The downtime the target allows in this measured span."""
        share = 1 - Fraction(target_percent) / 100
        return timedelta(microseconds=int(share * (self.scheduled // ONE_MICROSECOND)))


def availability(
    *,
    measured: Span,
    maintenance: Iterable[Span],
    outages: Iterable[OutageSpan],
    now: datetime,
) -> Availability:
    """The availability figures of one tenant over ``measured`` (see ``measured_span``).

    ``maintenance`` are the windows of the tenant's region that were not cancelled;
    ``outages`` the tenant's outages, ongoing ones running until ``now``.
    """
    windows = _merged(clip(maintenance, measured))
    down = _merged(clip([o.until(now) for o in outages if counts_as_unavailable(o)], measured))
    return Availability(
        measured=measured,
        maintenance=_length(windows),
        unavailable=_length(_cut(down, windows)),
    )


def outage_counted_time(
    outage: OutageSpan, *, measured: Span, maintenance: Iterable[Span], now: datetime
) -> timedelta:
    """What one outage on its own takes off availability in ``measured``: its part outside
    maintenance, or nothing for a partial outage. (Overlapping outages each show their own
    time here; the total in ``availability`` counts the overlap once.)"""
    if not counts_as_unavailable(outage):
        return timedelta(0)
    return total(subtract(clip([outage.until(now)], measured), clip(maintenance, measured)))


# --- status ------------------------------------------------------------------------------------


class DayState:
    """States of a tenant, worst last: what a status page shows for now or for a day."""

    NOT_MEASURED = "not_measured"
    OPERATIONAL = "operational"
    MAINTENANCE = "maintenance"
    DEGRADED = "degraded"
    OUTAGE = "outage"

    ORDER = (NOT_MEASURED, OPERATIONAL, MAINTENANCE, DEGRADED, OUTAGE)
    LABELS = {
        NOT_MEASURED: "Not in service",
        OPERATIONAL: "Operational",
        MAINTENANCE: "Maintenance",
        DEGRADED: "Partial outage",
        OUTAGE: "Outage",
    }


def _outage_state(outage: OutageSpan) -> str:
    return DayState.OUTAGE if outage.full else DayState.DEGRADED


def current_state(
    *, now: datetime, outages: Iterable[OutageSpan], maintenance: Iterable[Span]
) -> str:
    """A tenant's state at ``now``: an outage (full before partial) wins over maintenance in
    progress, which wins over operational. ``maintenance`` are the windows actually used."""
    worst = DayState.OPERATIONAL
    for outage in outages:
        if outage.start <= now and (outage.end is None or now < outage.end):
            worst = max(worst, _outage_state(outage), key=DayState.ORDER.index)
    if worst == DayState.OPERATIONAL and any(w.contains(now) for w in maintenance):
        return DayState.MAINTENANCE
    return worst


def day_states(
    days: list[tuple[date, Span]],
    *,
    outages: Iterable[OutageSpan],
    maintenance: Iterable[Span],
    measured_from: datetime | None,
    now: datetime,
) -> list[tuple[date, str]]:
    """The worst state of each of ``days`` (consecutive local days, in order): a day touched by
    an outage shows it, else a day touched by a used window shows maintenance; days before
    ``measured_from`` (or all, when it is None) and days not yet begun are not measured."""
    starts = [span.start for _, span in days]
    states = [DayState.OPERATIONAL] * len(days)

    def mark(span: Span, state: str) -> None:
        # The days a span touches: from the day it starts in to the day holding its last instant.
        first = max(bisect_right(starts, span.start) - 1, 0)
        last = bisect_left(starts, span.end) if span.end > span.start else first + 1
        for index in range(first, min(last, len(days))):
            if days[index][1].end > span.start or span.length == timedelta(0):
                states[index] = max(states[index], state, key=DayState.ORDER.index)

    for window in merge(maintenance):
        mark(window, DayState.MAINTENANCE)
    for outage in outages:
        mark(outage.until(now), _outage_state(outage))
    return [
        (day, DayState.NOT_MEASURED)
        if measured_from is None or span.end <= measured_from or span.start > now
        else (day, state)
        for (day, span), state in zip(days, states, strict=True)
    ]

"""SLA deadline arithmetic: pure functions over a business calendar.

Nothing here touches the ORM or Django settings: callers pass the calendar (``sla.services``
builds and caches one per ``Calendar`` row) and aware instants. Results are aware UTC datetimes;
format them in ``calendar.tz`` at the edge.

Rules (SPEC "SLA clock semantics"):

- Opening windows are half-open, ``[opens, closes)``: 16:30 itself is outside business hours, but
  a business deadline is the instant the last second is used, so it may be exactly 16:30.
- Adding zero returns the start unchanged, even outside business hours.
- The 24/7 clock is real elapsed time; it never looks at wall-clock time, so DST cannot move it.
- The business clock works on whole seconds: a start with a fraction of a second is counted
  from the whole second it falls in.

Speed: every calendar lazily builds, per local year, its open intervals as UTC epoch seconds with
running totals, so that a deadline is two binary searches instead of a walk over days with time
zone conversions (see ``bench/sla_deadlines.py``).
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from math import floor
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "DEFAULT_WINDOWS",
    "PRIORITY_TARGET_KINDS",
    "BusinessCalendar",
    "Clock",
    "Target",
    "TargetKind",
    "add_clock_time",
    "business_intervals",
    "clock_time_between",
    "calendar_is_open",
    "due_at",
    "is_working_day",
    "warning_at",
    "warning_seconds",
    "working_days_after",
    "working_days_between",
]

MIDNIGHT = time(0)
ONE_DAY = timedelta(days=1)
ONE_SECOND = timedelta(seconds=1)
# How far the business clock may run past the last open second before we call the calendar
# broken (e.g. every day closed): without a bound a lookup would build years forever.
MAX_EMPTY_YEARS = 10


class Clock(StrEnum):
    """Which clock a target runs on."""

    ALWAYS = "24x7"
    BUSINESS = "business"

    @property
    def label(self) -> str:
        return _CLOCK_LABELS[self]


_CLOCK_LABELS = {Clock.ALWAYS: "24/7/365", Clock.BUSINESS: "Business hours"}


class TargetKind(StrEnum):
    """What a target measures."""

    INITIAL_RESPONSE = "initial_response"
    ONGOING_UPDATE = "ongoing_update"
    RESOLUTION = "resolution"
    DELIVERY = "delivery"
    """A service request's delivery: minor requests in the policy's business days, planned
    ones at the date agreed with the customer."""

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


# The targets a policy defines per incident priority (the calculator and ``sla_due`` offer these).
PRIORITY_TARGET_KINDS = (
    TargetKind.INITIAL_RESPONSE,
    TargetKind.ONGOING_UPDATE,
    TargetKind.RESOLUTION,
)

_KIND_LABELS = {
    TargetKind.INITIAL_RESPONSE: "Initial response",
    TargetKind.ONGOING_UPDATE: "Ongoing update",
    TargetKind.RESOLUTION: "Resolution",
    TargetKind.DELIVERY: "Delivery",
}

Window = tuple[time, time]
_OFFICE_DAY: tuple[Window, ...] = ((time(8, 0), time(16, 30)),)
# Monday–Friday 08:00–16:30 (service description §4.3.2).
DEFAULT_WINDOWS: tuple[tuple[Window, ...], ...] = (_OFFICE_DAY,) * 5 + ((), ())


def _require_aware(value: datetime, name: str = "start") -> None:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(
            f"{name} must be an aware datetime with a UTC offset, got naive {value.isoformat()}"
        )


def _window_seconds(opens: time, closes: time) -> int:
    end = 86_400 if closes == MIDNIGHT else closes.hour * 3600 + closes.minute * 60 + closes.second
    return end - (opens.hour * 3600 + opens.minute * 60 + opens.second)


def _normalise_day(windows: Iterable[Sequence[time]]) -> tuple[Window, ...]:
    """Sort one weekday's windows and merge the ones that overlap or touch."""
    ordered = []
    for pair in windows:
        opens, closes = pair
        if closes != MIDNIGHT and closes <= opens:
            raise ValueError(f"A window must close after it opens: {opens}–{closes}.")
        ordered.append((opens, closes))
    ordered.sort()
    merged: list[Window] = []
    for opens, closes in ordered:
        if merged:
            last_opens, last_closes = merged[-1]
            if last_closes == MIDNIGHT:
                continue  # the previous window already runs to the end of the day
            if opens <= last_closes:
                if closes == MIDNIGHT or closes > last_closes:
                    merged[-1] = (last_opens, closes)
                continue
        merged.append((opens, closes))
    return tuple(merged)


@dataclass(frozen=True)
class BusinessCalendar:
    """When the business clock runs.

    ``windows`` holds, for each weekday (Monday = 0), the local ``(opens, closes)`` times;
    ``closes == time(0)`` means midnight at the end of that day. A date is closed when it is in
    ``closed_dates``, or when it is a public holiday of ``holiday_country`` (looked up lazily per
    year in the ``holidays`` package) that is not listed in ``open_dates``.
    ``business_day_seconds`` overrides the length of "one business day" for SLAs that define it
    apart from the opening hours (e.g. "eight consecutive business hours").
    """

    tz: ZoneInfo = ZoneInfo("Europe/Helsinki")
    windows: tuple[tuple[Window, ...], ...] = DEFAULT_WINDOWS
    closed_dates: frozenset[date] = frozenset()
    holiday_country: str = ""
    holiday_subdivision: str = ""
    open_dates: frozenset[date] = frozenset()
    business_day_seconds: int | None = None

    def __post_init__(self) -> None:
        windows = self.windows
        if isinstance(windows, Mapping):
            windows = tuple(windows.get(day, ()) for day in range(7))
        if len(windows) != 7:
            raise ValueError("windows needs one entry per weekday, Monday first.")
        object.__setattr__(self, "windows", tuple(_normalise_day(day) for day in windows))
        object.__setattr__(self, "closed_dates", frozenset(self.closed_dates))
        object.__setattr__(self, "open_dates", frozenset(self.open_dates))
        if self.business_day_seconds is not None and self.business_day_seconds <= 0:
            raise ValueError("business_day_seconds must be positive.")

    @cached_property
    def day_seconds(self) -> int:
        """Business seconds in one business day: the override if set, else the length of the
        calendar's usual open day (the most common daily total; on a tie, the longer one)."""
        if self.business_day_seconds is not None:
            return self.business_day_seconds
        totals = [sum(_window_seconds(o, c) for o, c in day) for day in self.windows if day]
        if not totals:
            raise ValueError("The calendar has no opening hours.")
        counts = Counter(totals)
        return max(counts, key=lambda total: (counts[total], total))

    def describe(self) -> str:
        """The opening hours in words: ``Monday to Friday 08:00–16:30 (Europe/Helsinki), not on
        public holidays in FI``. Runs of weekdays with the same hours are joined."""
        names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        runs: list[tuple[int, int, tuple[Window, ...]]] = []
        for index, day in enumerate(self.windows):
            if not day:
                continue
            if runs and runs[-1][1] == index - 1 and runs[-1][2] == day:
                runs[-1] = (runs[-1][0], index, day)
            else:
                runs.append((index, index, day))
        parts = []
        for first, last, day in runs:
            days = names[first] if first == last else f"{names[first]} to {names[last]}"
            hours = ", ".join(
                f"{opens:%H:%M}–{'24:00' if closes == MIDNIGHT else f'{closes:%H:%M}'}"
                for opens, closes in day
            )
            parts.append(f"{days} {hours}")
        text = "; ".join(parts) or "never open"
        text += f" ({self.tz.key})"
        if self.holiday_country:
            text += f", not on public holidays in {self.holiday_country}"
        return text

    def is_closed_on(self, day: date) -> bool:
        """Whether ``day`` (a local date) is a holiday or closure day, whatever the weekday."""
        if day in self.closed_dates:
            return True
        return day in self._holidays(day.year) and day not in self.open_dates

    def _holidays(self, year: int) -> frozenset[date]:
        if not self.holiday_country:
            return frozenset()
        return _public_holidays(self.holiday_country, self.holiday_subdivision, year)

    @cached_property
    def _open_time(self) -> _OpenTime:
        if not any(self.windows):
            raise ValueError("The calendar has no opening hours.")
        return _OpenTime(self)

    def year_intervals(self, year: int) -> list[tuple[int, int]]:
        """Open intervals of one local year as ``(start, end)`` UTC epoch seconds."""
        tz = self.tz
        out: list[tuple[int, int]] = []
        day = date(year, 1, 1)
        while day.year == year:
            day_windows = self.windows[day.weekday()]
            if day_windows and not self.is_closed_on(day):
                for opens, closes in day_windows:
                    start = datetime.combine(day, opens, tz).timestamp()
                    if closes == MIDNIGHT:
                        end = datetime.combine(day + ONE_DAY, MIDNIGHT, tz).timestamp()
                    else:
                        end = datetime.combine(day, closes, tz).timestamp()
                    # A window inside a DST gap can come out empty or inverted; it has no time.
                    if end > start:
                        out.append((floor(start), floor(end)))
            day += ONE_DAY
        return out


_holiday_cache: dict[tuple[str, str, int], frozenset[date]] = {}


def _public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    key = (country, subdivision, year)
    found = _holiday_cache.get(key)
    if found is None:
        listed = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
        found = _holiday_cache[key] = frozenset(listed)
    return found


class _OpenTime:
    """A calendar's open intervals over a run of local years, as UTC epoch seconds.

    ``before[i]`` is the business time of all intervals before interval ``i`` and ``after[i]``
    the same including it, so a position on the business clock is a binary search away. The run
    of years grows on demand; a grown run replaces the old one in one assignment, so readers on
    other threads always see a consistent snapshot.
    """

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar
        self._years: dict[int, list[tuple[int, int]]] = {}
        self._lock = threading.Lock()
        self.snapshot: _Snapshot | None = None

    def cover(self, *instants: int) -> _Snapshot:
        """A snapshot whose years include every given epoch second."""
        snap = self.snapshot
        if snap is not None and all(snap.lo <= t < snap.hi for t in instants):
            return snap
        tz = self.calendar.tz
        years = [datetime.fromtimestamp(t, tz).year for t in instants]
        first, last = min(years), max(years)
        if snap is not None:
            first, last = min(first, snap.first_year), max(last, snap.last_year)
        return self._build(first, last)

    def grow(self, snap: _Snapshot) -> _Snapshot:
        """A snapshot one year longer than ``snap``, for additions that run past its end."""
        if snap.last_year - snap.last_open_year >= MAX_EMPTY_YEARS:
            raise ValueError(
                f"The calendar has no open time for {MAX_EMPTY_YEARS} years after "
                f"{snap.last_open_year}: check its windows and closure days."
            )
        current = self.snapshot or snap
        return self._build(min(current.first_year, snap.first_year), snap.last_year + 1)

    def _build(self, first_year: int, last_year: int) -> _Snapshot:
        if last_year >= 9999:
            raise ValueError("The deadline falls beyond the year 9999.")
        with self._lock:
            snap = self.snapshot
            if snap is not None and snap.first_year <= first_year and last_year <= snap.last_year:
                return snap
            starts: list[int] = []
            ends: list[int] = []
            last_open_year = first_year - 1
            for year in range(first_year, last_year + 1):
                intervals = self._years.get(year)
                if intervals is None:
                    intervals = self._years[year] = self.calendar.year_intervals(year)
                if intervals:
                    last_open_year = year
                for start, end in intervals:
                    starts.append(start)
                    ends.append(end)
            before: list[int] = []
            after: list[int] = []
            total = 0
            for start, end in zip(starts, ends, strict=True):
                before.append(total)
                total += end - start
                after.append(total)
            tz = self.calendar.tz
            snap = _Snapshot(
                first_year=first_year,
                last_year=last_year,
                last_open_year=last_open_year,
                lo=floor(datetime(first_year, 1, 1, tzinfo=tz).timestamp()),
                hi=floor(datetime(last_year + 1, 1, 1, tzinfo=tz).timestamp()),
                starts=starts,
                ends=ends,
                before=before,
                after=after,
                total=total,
            )
            self.snapshot = snap
            return snap


@dataclass(frozen=True, eq=False)
class _Snapshot:
    first_year: int
    last_year: int
    last_open_year: int
    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    before: list[int]
    after: list[int]
    total: int

    def position(self, t: int) -> int:
        """Business seconds from the start of the first year up to epoch second ``t``."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        if t < self.ends[i]:
            return self.before[i] + t - self.starts[i]
        return self.after[i]

    def instant(self, position: int) -> int:
        """The epoch second at which business time ``position`` is used up (0 < position)."""
        j = bisect_left(self.after, position)
        return self.ends[j] - (self.after[j] - position)


@dataclass(frozen=True)
class Target:
    """One SLA target: how much time on which clock. ``count_from_next_day`` starts the clock
    at local midnight after the start ("MTTR in working days starts the day after the report")."""

    clock: Clock
    seconds: int
    count_from_next_day: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "clock", Clock(self.clock))
        if self.seconds < 0:
            raise ValueError("A target cannot be negative.")


def _epoch(value: datetime) -> int:
    return floor(value.timestamp())


def add_clock_time(
    calendar: BusinessCalendar, clock: Clock, start: datetime, seconds: int
) -> datetime:
    """The instant at which ``seconds`` of ``clock`` time from ``start`` are used up."""
    _require_aware(start)
    if seconds < 0:
        raise ValueError("Cannot add negative clock time.")
    if seconds == 0:
        return start.astimezone(UTC)
    if clock == Clock.ALWAYS:
        # In UTC: adding to a datetime in a zone with DST would add wall-clock time.
        return start.astimezone(UTC) + timedelta(seconds=seconds)
    if clock != Clock.BUSINESS:
        raise ValueError(f"Unknown clock {clock!r}.")
    t = floor(start.timestamp())
    open_time = calendar._open_time
    snap = open_time.snapshot
    if snap is None or not snap.lo <= t < snap.hi:
        snap = open_time.cover(t)
    while True:
        target = snap.position(t) + seconds
        if target <= snap.total:
            return datetime.fromtimestamp(snap.instant(target), UTC)
        snap = open_time.grow(snap)


def clock_time_between(
    calendar: BusinessCalendar, clock: Clock, start: datetime, end: datetime
) -> int:
    """Whole seconds of ``clock`` time from ``start`` to ``end``; 0 if ``end <= start``."""
    _require_aware(start)
    _require_aware(end, "end")
    # Python compares and subtracts two datetimes of the same zone on the wall clock, which
    # is wrong across a DST change: work in UTC.
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return 0
    if clock == Clock.ALWAYS:
        return (end - start) // ONE_SECOND
    if clock != Clock.BUSINESS:
        raise ValueError(f"Unknown clock {clock!r}.")
    a, b = _epoch(start), _epoch(end)
    snap = calendar._open_time.cover(a, b)
    return snap.position(b) - snap.position(a)


def _merged_pauses(
    pauses: Iterable[tuple[datetime, datetime]],
) -> list[tuple[datetime, datetime]]:
    ordered = []
    for pause_start, pause_end in pauses:
        _require_aware(pause_start, "pause start")
        _require_aware(pause_end, "pause end")
        pause_start, pause_end = pause_start.astimezone(UTC), pause_end.astimezone(UTC)
        if pause_end < pause_start:
            raise ValueError("A pause cannot end before it starts.")
        ordered.append((pause_start, pause_end))
    ordered.sort()
    merged: list[tuple[datetime, datetime]] = []
    for pause_start, pause_end in ordered:
        if merged and pause_start <= merged[-1][1]:
            if pause_end > merged[-1][1]:
                merged[-1] = (merged[-1][0], pause_end)
        else:
            merged.append((pause_start, pause_end))
    return merged


def next_local_midnight(calendar: BusinessCalendar, instant: datetime) -> datetime:
    """Local midnight starting the day after ``instant``'s local date, in UTC."""
    _require_aware(instant)
    local_day = instant.astimezone(calendar.tz).date() + ONE_DAY
    return datetime.combine(local_day, MIDNIGHT, calendar.tz).astimezone(UTC)


def measuring_start(calendar: BusinessCalendar, target: Target, start: datetime) -> datetime:
    """Where the clock of ``target`` starts counting for an event at ``start``."""
    if target.count_from_next_day:
        return next_local_midnight(calendar, start)
    return start


def due_at(
    calendar: BusinessCalendar,
    target: Target | None,
    start: datetime,
    pauses: Sequence[tuple[datetime, datetime]] = (),
) -> datetime | None:
    """The deadline of ``target`` measured from ``start``, or ``None`` without a target.

    Each pause ``(from, until)`` stops the clock: the deadline moves by the clock's own time
    inside the pause only (a night-time pause does not move a business deadline). A pause that
    begins after the deadline changes nothing, so a breach is never hidden by a later pause.
    """
    if target is None:
        return None
    _require_aware(start)
    clock = target.clock
    cursor = measuring_start(calendar, target, start).astimezone(UTC)
    remaining = target.seconds
    if not pauses:
        return add_clock_time(calendar, clock, cursor, remaining)
    for pause_start, pause_end in _merged_pauses(pauses):
        if pause_end <= cursor:
            continue
        if pause_start <= cursor:
            cursor = pause_end  # the clock was already stopped when measuring began
            continue
        due = add_clock_time(calendar, clock, cursor, remaining)
        if due <= pause_start:
            return due
        remaining -= clock_time_between(calendar, clock, cursor, pause_start)
        cursor = pause_end
    return add_clock_time(calendar, clock, cursor, remaining)


def warning_seconds(target: Target, share: float) -> int:
    """Clock time after which a warning is due: ``share`` of the target, to the nearest second.
    The one rounding rule for warnings; ``sla.measurement`` stores its result on each target."""
    if not 0 <= share <= 1:
        raise ValueError("The warning share must lie between 0 and 1.")
    return round(target.seconds * share)


def warning_at(
    calendar: BusinessCalendar,
    target: Target | None,
    start: datetime,
    share: float,
    pauses: Sequence[tuple[datetime, datetime]] = (),
) -> datetime | None:
    """When ``share`` of the target's clock time is used up (same clock, same pauses)."""
    if target is None:
        return None
    early = replace(target, seconds=warning_seconds(target, share))
    return due_at(calendar, early, start, pauses)


def business_intervals(
    calendar: BusinessCalendar, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The open stretches of the business clock between ``start`` and ``end``, clipped to
    them, in UTC: what the business clock counts over that span."""
    _require_aware(start)
    _require_aware(end, "end")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return []
    a, b = _epoch(start), _epoch(end)
    snap = calendar._open_time.cover(a, b)
    first = max(bisect_right(snap.ends, a), 0)
    out = []
    for i in range(first, len(snap.starts)):
        s, e = snap.starts[i], snap.ends[i]
        if s >= b:
            break
        lo = max(datetime.fromtimestamp(s, UTC), start)
        hi = min(datetime.fromtimestamp(e, UTC), end)
        if hi > lo:
            out.append((lo, hi))
    return out


# --- calendar questions ------------------------------------------------------------------------


def calendar_is_open(calendar: BusinessCalendar, at: datetime) -> bool:
    """Whether the business clock of ``calendar`` runs at ``at`` (windows are half-open, so
    16:30 itself is closed)."""
    _require_aware(at, "at")
    t = _epoch(at)
    snap = calendar._open_time.cover(t)
    i = bisect_right(snap.starts, t) - 1
    return i >= 0 and t < snap.ends[i]


def is_working_day(calendar: BusinessCalendar, day: date) -> bool:
    """Whether the calendar opens at all on ``day`` (a local date)."""
    return bool(calendar.windows[day.weekday()]) and not calendar.is_closed_on(day)


def working_days_after(calendar: BusinessCalendar, start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself does not count)."""
    if count < 0:
        raise ValueError("Cannot count a negative number of working days.")
    day, found = start, 0
    for _ in range(count * 7 + 366):  # bounded: a calendar that never opens is an error
        if found == count:
            return day
        day += ONE_DAY
        found += is_working_day(calendar, day)
    if found == count:
        return day
    raise ValueError("The calendar has no working days; check its opening hours.")


def working_days_between(calendar: BusinessCalendar, start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    return sum(
        is_working_day(calendar, start + timedelta(days=n))
        for n in range(1, (end - start).days + 1)
    )

"""A calendar's business hours as read in another time zone: where SLA deadlines are
explained, a customer in Sydney or Oregon sees the vendor's hours in their own clock too.

Pure functions on ``BusinessCalendar`` (no ORM). Offsets change with daylight saving time on
different dates in different zones, so the hours are those of one given week.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .deadlines import MIDNIGHT, BusinessCalendar

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class _Stretch:
    weekday: int
    opens: time
    closes: time
    next_day: bool


def _stretches(calendar: BusinessCalendar, tz: ZoneInfo, week_of: date) -> list[_Stretch]:
    monday = week_of - timedelta(days=week_of.weekday())
    stretches = []
    for index, windows in enumerate(calendar.windows):
        day = monday + timedelta(days=index)
        for opens, closes in windows:
            start = datetime.combine(day, opens, calendar.tz).astimezone(tz)
            end_day = day + timedelta(days=1) if closes == MIDNIGHT else day
            end = datetime.combine(end_day, closes, calendar.tz).astimezone(tz)
            stretches.append(
                _Stretch(start.weekday(), start.time(), end.time(), end.date() > start.date())
            )
    # In the calendar's own order of days: Monday 08:00 in Helsinki is Sunday evening in
    # Oregon, and that Sunday leads the week there.
    return stretches


def _hours(stretch: _Stretch) -> str:
    closes = (
        "24:00" if stretch.closes == MIDNIGHT and stretch.next_day else f"{stretch.closes:%H:%M}"
    )
    text = f"{stretch.opens:%H:%M}–{closes}"
    if stretch.next_day and stretch.closes != MIDNIGHT:
        text += " the next day"
    return text


def hours_in_zone(calendar: BusinessCalendar, tz: ZoneInfo, *, week_of: date) -> str:
    """``Monday to Friday 07:00–15:30 (Europe/Berlin)``: the calendar's opening hours of the
    week of ``week_of`` on the clocks of ``tz``. Runs of weekdays with the same hours are
    joined, as ``BusinessCalendar.describe`` does for the calendar's own zone."""
    runs: list[tuple[int, int, str]] = []
    by_day: dict[int, list[str]] = {}
    for stretch in _stretches(calendar, tz, week_of):
        by_day.setdefault(stretch.weekday, []).append(_hours(stretch))
    for weekday, day_hours in by_day.items():
        hours = ", ".join(day_hours)
        if runs and runs[-1][1] == (weekday - 1) % 7 and runs[-1][2] == hours:
            runs[-1] = (runs[-1][0], weekday, hours)
        else:
            runs.append((weekday, weekday, hours))
    parts = [
        f"{DAY_NAMES[first]}{'' if first == last else f' to {DAY_NAMES[last]}'} {hours}"
        for first, last, hours in runs
    ]
    return f"{'; '.join(parts) or 'never open'} ({tz.key})"


@dataclass(frozen=True)
class BusinessHours:
    """The calendar's hours in its own words, and in the reader's zone when that differs."""

    calendar: str
    yours: str = ""


def business_hours_for(calendar: BusinessCalendar, reader_tz, *, week_of: date) -> BusinessHours:
    """The hours to show a reader whose pages are in ``reader_tz``."""
    own = calendar.describe()
    if getattr(reader_tz, "key", None) == calendar.tz.key:
        return BusinessHours(own)
    reader = ZoneInfo(reader_tz.key) if hasattr(reader_tz, "key") else ZoneInfo(str(reader_tz))
    yours = hours_in_zone(calendar, reader, week_of=week_of)
    if yours == hours_in_zone(calendar, calendar.tz, week_of=week_of).replace(
        calendar.tz.key, reader.key
    ):
        # Another name for the same clock (Europe/Helsinki and Europe/Mariehamn).
        return BusinessHours(own)
    return BusinessHours(own, yours)

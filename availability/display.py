"""Availability figures and window times as people read them. Plain functions; the template
filters in ``templatetags/availability_extras.py`` wrap them."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from lib.formatting import span, when


def percent(value: Decimal | None) -> str:
    """``99.908 %``, or a dash when nothing was measured."""
    if value is None:
        return "–"
    return f"{value:.3f} %"


def minutes(delta: timedelta | None) -> str:
    """A duration to the minute (``1 h 5 min``); seconds of an outage are rounded down."""
    if delta is None:
        return "–"
    return span(delta)


def exact_minutes(delta: timedelta | None) -> str:
    """Minutes with two decimals, as the formula counts them: ``43,680.00``; a dash when there
    is nothing to count (no availability target set, say)."""
    if delta is None:
        return "–"
    return f"{delta / timedelta(minutes=1):,.2f}"


def window_time(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """A window in UTC, as the service description states them, then in the vendor's zone:
    ``Saturday 14 Nov 2026 22:00 – Sunday 15 Nov 02:00 UTC (Sunday 15 Nov 00:00 – 04:00 EET)``.
    Weekdays are written out: "which day" is what people read a window for."""
    u_start, u_end = start.astimezone(UTC), end.astimezone(UTC)
    l_start, l_end = start.astimezone(tz), end.astimezone(tz)
    return (
        f"{_day(u_start, year=True)} {u_start:%H:%M} – {_same_day(u_start, u_end)}{u_end:%H:%M} UTC"
        f" ({_day(l_start)} {l_start:%H:%M} – {_same_day(l_start, l_end)}{l_end:%H:%M %Z})"
    )


def _day(value: datetime, *, year: bool = False) -> str:
    text = f"{value:%A} {value.day} {value:%b}"
    return f"{text} {value:%Y}" if year else text


def _same_day(start: datetime, end: datetime) -> str:
    return "" if start.date() == end.date() else f"{_day(end)} "


def instant(value: datetime | None, tz: ZoneInfo) -> str:
    return when(value, tz)


def weekday_name(value: datetime) -> str:
    """The UTC weekday a window starts on, e.g. ``Saturday`` (as §5.1.1 names them)."""
    return f"{value.astimezone(UTC):%A}"

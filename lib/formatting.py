"""Durations and instants as people read them. Plain functions; template filters wrap them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def clock_duration(seconds: int | None) -> str:
    """Seconds of clock time as hours and minutes, e.g. ``8 h 30 min``; seconds only when
    there are any, since targets are whole minutes."""
    if seconds is None:
        return "–"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} h")
    if minutes or (hours and secs):
        parts.append(f"{minutes} min")
    if secs or not parts:
        parts.append(f"{secs} s")
    return " ".join(parts)


def span(delta: timedelta) -> str:
    """A stretch of real time to the minute: ``2 d 3 h``, ``3 h 20 min``, ``45 min``."""
    minutes = int(abs(delta.total_seconds()) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def hours_or_minutes(seconds: int) -> str:
    """A target length in words: ``4 hours``, ``1 hour``, ``90 minutes``."""
    hours, rest = divmod(int(seconds), 3600)
    if rest == 0:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = int(seconds) // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def describe_due(due: datetime | None, now: datetime) -> str:
    """'due in 3 h 20 min', 'breached 2 h ago', or '' when nothing is due."""
    if due is None:
        return ""
    if due > now:
        return f"due in {span(due - now)}"
    if now - due < timedelta(minutes=1):
        return "due now"
    return f"breached {span(now - due)} ago"


def _in_zone(value: datetime, zone: str | ZoneInfo) -> datetime:
    return value.astimezone(zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone))


def instant_in_zone(value: datetime | None, zone: str | ZoneInfo) -> str:
    """An instant in a zone with its offset, e.g. ``Mon 23 Nov 2026 15:00:00 +02:00``. Not
    Django's ``date`` filter: it leaves the offset out for an hour that occurs twice at the end
    of DST, exactly where the reader needs it."""
    if value is None:
        return "–"
    local = _in_zone(value, zone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M:%S} {local.isoformat()[-6:]}"


def short_instant(value: datetime | None, zone: str | ZoneInfo) -> str:
    """An instant to the minute with its zone's abbreviation: ``Mon 23 Nov 2026 15:00 EET``."""
    if value is None:
        return "–"
    local = _in_zone(value, zone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M %Z}"


def iso_in_zone(value: datetime | None, zone: str | ZoneInfo) -> str:
    """ISO 8601 with the offset of ``zone``, as ``manage.py sla_due`` prints it."""
    if value is None:
        return ""
    return _in_zone(value, zone).isoformat()

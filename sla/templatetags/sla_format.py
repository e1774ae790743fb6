"""Template filters for SLA figures; the functions are plain so that tests call them directly."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template

register = template.Library()


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


def instant_in_zone(value: datetime | None, zone: str) -> str:
    """An instant in a calendar's zone with its offset, e.g. ``Mon 23 Nov 2026 15:00:00
    +02:00``. Not Django's ``date`` filter: it leaves the offset out for an hour that occurs
    twice at the end of DST, exactly where the reader needs it."""
    if value is None:
        return "–"
    local = value.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %Y %H:%M:%S} {local.isoformat()[-6:]}"


def iso_in_zone(value: datetime | None, zone: str) -> str:
    """ISO 8601 with the offset of ``zone``, as ``manage.py sla_due`` prints it."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(zone)).isoformat()


register.filter("clock_duration", clock_duration)
register.filter("instant_in_zone", instant_in_zone)
register.filter("iso_in_zone", iso_in_zone)

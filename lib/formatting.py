"""Durations, dates and instants as people read them. Plain functions; template filters wrap
them (``lib/templatetags/portal.py``, available in every template).

The portal writes an instant one way everywhere, on pages and in emails: ``when`` gives
``Mon 23 Nov 2026 15:00 EET`` in the reader's time zone (the active one: the signed-in person's,
see ``tenants.middleware``), with the zone's abbreviation so that nobody has to guess which
clock it is. A calendar date is ``day``: ``Mon 23 Nov 2026``. Exports carry ISO 8601
(``iso_instant``: ``2026-11-23T15:00:00+02:00``; ``iso_day``: ``2026-11-23``) for spreadsheets
and scripts.
"""

from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.utils import timezone


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


def _in_zone(value: datetime, zone: str | tzinfo | None) -> datetime:
    if zone is None:
        return timezone.localtime(value)
    return value.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)


def when(value: datetime | None, zone: str | tzinfo | None = None) -> str:
    """An instant to the minute in ``zone`` (the active zone by default), with the zone's
    abbreviation: ``Mon 23 Nov 2026 15:00 EET``. The abbreviation also tells the two
    occurrences of the hour that repeats when DST ends apart (EEST, then EET). "–" for none."""
    if value is None:
        return "–"
    local = _in_zone(value, zone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M %Z}"


def day(value: date | datetime | None, zone: str | tzinfo | None = None) -> str:
    """A calendar date: ``Mon 23 Nov 2026`` (an instant's date in ``zone``). "–" for none."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = _in_zone(value, zone)
    return f"{value:%a} {value.day} {value:%b %Y}"


def clock_time(value: datetime | None, zone: str | tzinfo | None = None) -> str:
    """The time of day of an instant, for a line whose date is already given: ``15:00 EET``."""
    if value is None:
        return "–"
    return f"{_in_zone(value, zone):%H:%M %Z}"


def iso_instant(value: datetime | None, zone: str | tzinfo | None = None) -> str:
    """ISO 8601 to the second with the offset of ``zone`` (the active zone by default), as
    exports and ``manage.py sla_due`` write it: ``2026-11-23T15:00:00+02:00``. Empty for none."""
    if value is None:
        return ""
    return _in_zone(value, zone).isoformat(timespec="seconds")


def iso_day(value: date | None) -> str:
    """ISO 8601 date, as exports write it: ``2026-11-23``. Empty for none."""
    return "" if value is None else value.isoformat()


# Earlier names, which the SLA sweep's mails and work in progress elsewhere still import.
short_instant = when
iso_in_zone = iso_instant

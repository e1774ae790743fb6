"""Template filters for SLA figures; the functions are plain so that tests call them directly."""

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


register.filter("clock_duration", clock_duration)

"""Small formatting functions for ticket pages, wrapped as template filters."""

from datetime import datetime, timedelta


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def describe_due(due: datetime | None, now: datetime) -> str:
    """'due in 3 h 20 min', 'breached 2 h ago', or '' when nothing is due."""
    if due is None:
        return ""
    if due > now:
        return f"due in {_span(due - now)}"
    if now - due < timedelta(minutes=1):
        return "due now"
    return f"breached {_span(now - due)} ago"

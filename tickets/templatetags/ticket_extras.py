from django import template
from django.utils import timezone

from lib.formatting import describe_due, short_instant

register = template.Library()


@register.simple_tag
def due_text(due, now):
    return describe_due(due, now)


@register.filter
def when(value) -> str:
    """An instant in the active time zone (the reader's), to the minute, with the zone's name."""
    return short_instant(value, timezone.get_current_timezone())

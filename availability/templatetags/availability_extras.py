"""Template filters of the availability pages: thin wrappers of ``availability.display``."""

from django import template

from sla.availability import DayState

from .. import display

register = template.Library()


@register.filter
def percent(value):
    return display.percent(value)


@register.filter
def duration(value):
    return display.minutes(value)


@register.filter
def exact_minutes(value):
    return display.exact_minutes(value)


@register.filter
def instant(value, tz):
    return display.instant(value, tz)


@register.filter
def state_label(value):
    return DayState.LABELS.get(value, value)


@register.simple_tag
def window_time(window, tz):
    return display.window_time(window.starts_at, window.ends_at, tz)

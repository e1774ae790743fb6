"""Template filters for SLA figures; the functions are plain so that tests call them directly."""

from django import template

from lib.formatting import clock_duration, instant_in_zone, iso_in_zone

register = template.Library()


register.filter("clock_duration", clock_duration)
register.filter("instant_in_zone", instant_in_zone)
register.filter("iso_in_zone", iso_in_zone)

from django import template

from lib.formatting import describe_due

register = template.Library()


@register.simple_tag
def due_text(due, now):
    return describe_due(due, now)

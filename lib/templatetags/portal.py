"""Template filters and tags every template has without ``{% load %}`` (``builtins`` in the
``TEMPLATES`` setting, for pages and mail alike). The filters wrap ``lib.formatting``, whose
functions are tested directly.

- ``{{ ticket.created_at|when }}``: ``Mon 23 Nov 2026 15:00 EET`` in the reader's zone;
  ``|when:zone`` in another one.
- ``{{ step.due_on|day }}``: ``Mon 23 Nov 2026``.
- ``{{ value|iso_instant }}``: for ``<time datetime="…">``.
"""

from django import template
from django.utils.safestring import mark_safe

from lib import formatting

register = template.Library()

register.filter("when", formatting.when)
register.filter("day", formatting.day)
register.filter("clock_time", formatting.clock_time)
register.filter("iso_instant", formatting.iso_instant)
register.filter("clock_duration", formatting.clock_duration)


@register.simple_tag(takes_context=True)
def aria_current(context, *view_names: str) -> str:
    """`` aria-current="page"`` on the navigation link of the page being shown: when the
    request's view is one of ``view_names`` (``"tickets:list"``, ``"tickets:detail"``)."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match is not None and match.view_name in view_names:
        return mark_safe(' aria-current="page"')
    return ""

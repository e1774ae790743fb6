"""Template filters and tags every template has without ``{% load %}`` (``builtins`` in the
``TEMPLATES`` setting, for pages and mail alike). The filters wrap ``lib.formatting``, whose
functions are tested directly.

- ``{{ ticket.created_at|when }}``: ``Mon 23 Nov 2026 15:00 EET`` in the reader's zone;
  ``|when:zone`` in another one.
- ``{{ step.due_on|day }}``: ``Mon 23 Nov 2026``.
- ``{{ value|iso_instant }}``: for ``<time datetime="…">``.
"""

from django import template

from lib import formatting

register = template.Library()

register.filter("when", formatting.when)
register.filter("day", formatting.day)
register.filter("clock_time", formatting.clock_time)
register.filter("iso_instant", formatting.iso_instant)
register.filter("clock_duration", formatting.clock_duration)

"""Absolute addresses for links that leave the site (emails, exports), and one ``reverse()``
for a page's many links of one kind."""

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """``path`` (starting with ``/``) under the portal's public base URL."""
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def absolute_reverse(viewname: str, *args, **kwargs) -> str:
    """``reverse(viewname, ...)`` as an absolute address."""
    return absolute_url(reverse(viewname, args=args or None, kwargs=kwargs or None))


# Stands for the argument ``reverse_each`` fills in: a number no real id reaches on a page.
SLOT = 987654321


def reverse_each(viewname: str, *args: object, slot: object = SLOT) -> Callable[[object], str]:
    """``reverse()`` once for a page of rows: ``detail = reverse_each("tickets:detail", SLOT)``,
    then ``detail(ticket.pk)`` for each row. The argument given as ``slot`` is filled in."""
    url = reverse(viewname, args=args)
    placeholder = str(slot)
    return lambda value: url.replace(placeholder, str(value), 1)

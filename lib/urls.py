"""Absolute addresses for links that leave the site (emails, exports)."""

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """``path`` (starting with ``/``) under the portal's public base URL."""
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def absolute_reverse(viewname: str, *args, **kwargs) -> str:
    """``reverse(viewname, ...)`` as an absolute address."""
    return absolute_url(reverse(viewname, args=args or None, kwargs=kwargs or None))

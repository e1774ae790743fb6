from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import cached_failed_count


def outbox_navigation(request: HttpRequest) -> dict[str, object]:
    """For support managers: how many mails were not delivered, read only if a template shows
    it and shared for a few seconds (``cached_failed_count``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_support_manager:
        return {}
    return {"outbox_failed_count": SimpleLazyObject(cached_failed_count)}

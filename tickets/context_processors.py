"""Template context for every page: the queue counts in the navigation of support staff."""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from .queue.selectors import cached_queue_counts


def queue_navigation(request: HttpRequest) -> dict[str, object]:
    """Overdue and at-risk counts for support staff, read only if a template shows them (so a
    CSV download or a redirect costs nothing) and shared briefly (``cached_queue_counts``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_customer:
        return {}
    if not user.is_support_staff:
        return {}
    return {"queue_counts": SimpleLazyObject(lambda: cached_queue_counts(user, now=timezone.now()))}

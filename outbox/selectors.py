"""Reads of the outbox that the managers' page, the navigation and /healthz share."""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Case, Count, Min, QuerySet, Value, When

from .models import OutgoingMail
from .services import FAILED_COUNT_CACHE_KEY

State = OutgoingMail.State
UNDELIVERED = (State.PENDING, State.SENDING, State.FAILED)
# The navigation shows the count on every manager's page: read it at most this often.
FAILED_COUNT_CACHE_SECONDS = 20


def undelivered_mail() -> QuerySet[OutgoingMail]:
    """Mail not (yet) delivered: failed first, then the longest waiting."""
    failed_first = Case(When(state=State.FAILED, then=Value(0)), default=Value(1))
    return (
        OutgoingMail.objects.filter(state__in=UNDELIVERED)
        .annotate(failed_first=failed_first)
        .order_by("failed_first", "created_at", "pk")
    )


def failed_count() -> int:
    return OutgoingMail.objects.filter(state=State.FAILED).count()


def cached_failed_count() -> int:
    count = cache.get(FAILED_COUNT_CACHE_KEY)
    if count is None:
        count = failed_count()
        cache.set(FAILED_COUNT_CACHE_KEY, count, FAILED_COUNT_CACHE_SECONDS)
    return count


@dataclass(frozen=True)
class Backlog:
    """Mail waiting to go out at ``now``."""

    # Due now and not sent: pending with its time come, or held by a worker.
    due: int
    # Seconds the longest-waiting due message has been due (0 when none is).
    oldest_due_seconds: float
    failed: int


def backlog(*, now: datetime) -> Backlog:
    """Three short range scans of the outbox's partial indexes."""
    pending = OutgoingMail.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
    summary = pending.aggregate(oldest=Min("next_attempt_at"), count=Count("pk"))
    sending = OutgoingMail.objects.filter(state=State.SENDING).count()
    oldest = summary["oldest"]
    return Backlog(
        due=summary["count"] + sending,
        oldest_due_seconds=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
        failed=failed_count(),
    )

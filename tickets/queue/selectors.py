"""The engineer queue: which tickets it holds, their order, the saved views and the counts the
navigation shows.

The queue holds open tickets (new, in progress, waiting for the customer); finished ones are on
the ticket list. Its order is SLA urgency: the earliest outstanding deadline first, so overdue
tickets lead, then priority, then ticket number. ``next_due_at`` is stored on the ticket by
``tickets.targets``, so the order comes straight off the partial indexes on open tickets
(``ticket_open_by_next_due``; per level ``ticket_open_level_due``; see migration
``0003_queue_indexes``).

"Overdue" (the queue's "breached") means an outstanding deadline has passed: ``next_due_at``
is before now. "At risk" means not overdue yet but due within ``AT_RISK_WINDOW``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import BooleanField, Count, F, OrderBy, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import QueryDict

from tenants.access import scope_for_user
from tickets.models import Ticket

AT_RISK_WINDOW = timedelta(hours=2)
AT_RISK_HOURS = int(AT_RISK_WINDOW.total_seconds() // 3600)
# The navigation of every staff page shows the counts; everyone at one level shares them for
# this long.
COUNTS_CACHE_SECONDS = 20

# The columns the queue shows, read as plain rows (dicts): the page only displays them, and
# building model instances (with their state machines) cost more than the query.
QUEUE_COLUMNS = (
    "id",
    "kind",
    "priority",
    "subject",
    "level",
    "status",
    "version",
    "updated_at",
    "next_due_at",
    "assignee_id",
    "organisation__name",
    "tenant__name",
    "tenant__kind",
    "assignee__full_name",
)


def urgency_order(*, descending: bool = False) -> list[OrderBy | str]:
    """Most urgent first: earliest deadline (tickets without one last), then priority, then
    the ticket number so that pages never overlap. Descending is the exact reverse, which the
    database reads off the same index backwards."""
    if descending:
        return [F("next_due_at").desc(nulls_first=True), "-priority", "-pk"]
    return [F("next_due_at").asc(nulls_last=True), "priority", "pk"]


def _open_condition() -> RawSQL:
    """``status IN ('new', 'in_progress', 'waiting')`` with the values written into the SQL.

    The queue's indexes are partial, on open tickets only. SQLite uses a partial index only
    when the query repeats the index's condition with the same literal values, and Django
    would send them as bound parameters; PostgreSQL reads it either way.
    """
    values = ", ".join(f"'{status.value}'" for status in Ticket.OPEN_STATUSES)
    column = f'"{Ticket._meta.db_table}"."status"'
    return RawSQL(f"{column} IN ({values})", (), output_field=BooleanField())


def open_tickets() -> QuerySet[Ticket]:
    return Ticket.objects.filter(_open_condition())


def queue_tickets(user) -> QuerySet:
    """Open tickets ``user`` may see, in urgency order, as rows of ``QUEUE_COLUMNS``."""
    return scope_for_user(open_tickets(), user).order_by(*urgency_order()).values(*QUEUE_COLUMNS)


def queue_level(user) -> str:
    """The level whose tickets the queue opens at: an engineer's own; managers see all."""
    if user.is_support_engineer and not user.is_support_manager:
        return user.support_level or ""
    return ""


def default_filters(user) -> dict[str, str]:
    level = queue_level(user)
    return {"level": level} if level else {}


def with_default_filters(query: QueryDict, user, filter_names: Iterable[str]) -> QueryDict:
    """The queue's filter data: what the request asks for, or, when it names no filter at all
    (a plain visit, or only a page or sort), the user's defaults."""
    names = list(filter_names)
    if any(name in query for name in names):
        return query
    data = query.copy()
    for name, value in default_filters(user).items():
        data.setlist(name, [value])
    return data


def _active(pairs: Iterable[tuple[str, str]], names: Iterable[str]) -> frozenset:
    keep = set(names)
    return frozenset((k, v) for k, v in pairs if k in keep and v not in ("", None))


@dataclass(frozen=True)
class SavedView:
    label: str
    params: tuple[tuple[str, str], ...]

    @property
    def query_string(self) -> str:
        return urlencode(self.params)

    def matches(self, query: QueryDict, filter_names: Iterable[str]) -> bool:
        names = list(filter_names)
        current = _active(((k, v) for k in names for v in query.getlist(k)), names)
        return current == _active(self.params, names)


def saved_views(user) -> list[SavedView]:
    """One-click views. For an engineer they stay at the engineer's level (except their own
    tickets, which follow them); "All levels" lifts that."""
    level = queue_level(user)
    at_level: tuple[tuple[str, str], ...] = (("level", level),) if level else ()
    views = []
    if level:
        views.append(SavedView(f"My level ({level})", at_level))
        views.append(SavedView("My tickets", (("assignee", "me"),)))
    else:
        views.append(SavedView("All open tickets", ()))
    views += [
        SavedView(
            "Unassigned P1/P2",
            (*at_level, ("assignee", "unassigned"), ("priority", "P1"), ("priority", "P2")),
        ),
        SavedView(
            f"Breaching within {AT_RISK_HOURS} hours",
            (*at_level, ("due_within", str(AT_RISK_HOURS))),
        ),
        SavedView("Breached", (*at_level, ("breached", "yes"))),
        SavedView("Waiting for customer", (*at_level, ("status", Ticket.Status.WAITING))),
    ]
    if level:
        # An explicit empty level, so the engineer's default does not apply.
        views.append(SavedView("All levels", (("level", ""),)))
    return views


@dataclass(frozen=True)
class QueueCounts:
    """Overdue and at-risk open tickets at ``level`` (all levels when empty)."""

    breached: int
    at_risk: int
    level: str
    at_risk_hours: int = AT_RISK_HOURS

    def _query(self, *pairs: tuple[str, str]) -> str:
        return urlencode(((("level", self.level),) if self.level else ()) + pairs)

    @property
    def breached_query(self) -> str:
        return self._query(("breached", "yes"))

    @property
    def at_risk_query(self) -> str:
        return self._query(("due_within", str(AT_RISK_HOURS)))


def queue_counts(user, *, now: datetime) -> QueueCounts:
    """One indexed range read over open tickets due before ``now + AT_RISK_WINDOW``."""
    level = queue_level(user)
    tickets = open_tickets().filter(next_due_at__lte=now + AT_RISK_WINDOW)
    if level:
        tickets = tickets.filter(level=level)
    counts = scope_for_user(tickets, user).aggregate(
        # Counting the deadline column (never empty in this range) lets the database answer
        # from the index alone.
        breached=Count("next_due_at", filter=Q(next_due_at__lt=now)),
        at_risk=Count("next_due_at", filter=Q(next_due_at__gte=now)),
    )
    return QueueCounts(breached=counts["breached"], at_risk=counts["at_risk"], level=level)


def cached_queue_counts(user, *, now: datetime) -> QueueCounts:
    """``queue_counts``, computed at most once per ``COUNTS_CACHE_SECONDS`` for each level.

    The key names the time window, so counts are never older than one window and a clock
    moved in tests starts afresh.
    """
    level = queue_level(user)
    window = int(now.timestamp()) // COUNTS_CACHE_SECONDS
    key = f"tickets:queue-counts:{level or 'all'}:{window}"
    counts = cache.get(key)
    if counts is None:
        counts = queue_counts(user, now=now)
        cache.set(key, counts, COUNTS_CACHE_SECONDS)
    return counts

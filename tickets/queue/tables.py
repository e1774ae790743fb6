"""The engineer queue table: one row per open ticket, most urgent SLA deadline first.

Records are the plain rows of ``queue.queue_tickets`` (dicts of ``QUEUE_COLUMNS``), drawn in
one pass from the ``cell_*`` methods (``lib.tables.CellMethodsMixin``) and exported through the
``value_*`` methods.
"""

from datetime import datetime, tzinfo
from html import escape

import django_tables2 as tables
from django.db.models import QuerySet
from django.middleware.csrf import get_token
from django.utils import timezone

from lib.formatting import describe_due, iso_instant, when
from lib.tables import CellMethodsMixin
from lib.urls import SLOT, reverse_each
from sla.models import Priority
from tenants.models import SupportLevel, Tenant
from tickets.models import Ticket
from tickets.permissions import TicketFacts, can_take

from .selectors import AT_RISK_WINDOW, urgency_order

PRIORITY_LABELS = dict(Priority.choices)
LEVEL_LABELS = dict(SupportLevel.choices)
STATUS_LABELS = dict(Ticket.Status.choices)
TENANT_KIND_LABELS = dict(Tenant.Kind.choices)
WAITING = Ticket.Status.WAITING.value
URGENCY_BADGES = {"overdue": "badge badge-breached", "at-risk": "badge badge-at-risk"}
DEFAULT_ORDER = "due"


def _time(value: datetime, text: str, tz: tzinfo) -> str:
    """A <time> element: the text shown, the exact local time on hover."""
    return (
        f'<time datetime="{iso_instant(value, tz)}" title="{when(value, tz)}">{escape(text)}</time>'
    )


def ago(then: datetime, now: datetime) -> str:
    """'just now', '12 min ago', '3 h ago', '2 d ago': how long since the last update."""
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // (24 * 60)} d ago"


class QueueTable(CellMethodsMixin, tables.Table):
    numbered_pages = False  # the lazy paginator never counts the queue

    number = tables.Column(accessor="id", verbose_name="Ticket", order_by=("id",))
    priority = tables.Column(empty_values=(), order_by=("priority", "id"))
    organisation = tables.Column(
        accessor="organisation__name",
        verbose_name="Organisation",
        order_by=("organisation__name", "id"),
    )
    tenant = tables.Column(
        accessor="tenant__name", verbose_name="Tenant", order_by=("tenant__name", "id")
    )
    subject = tables.Column(order_by=("subject", "id"))
    level = tables.Column(order_by=("level", "id"))
    status = tables.Column(order_by=("status", "id"))
    assignee = tables.Column(
        accessor="assignee__full_name",
        verbose_name="Assignee",
        empty_values=(),
        order_by=("assignee__full_name", "id"),
    )
    due = tables.Column(accessor="next_due_at", verbose_name="Next SLA deadline", empty_values=())
    updated_at = tables.Column(verbose_name="Last update", order_by=("updated_at", "id"))
    take = tables.Column(
        empty_values=(), verbose_name="", orderable=False, exclude_from_export=True
    )

    class Meta:
        model = Ticket
        fields = (
            "number",
            "priority",
            "organisation",
            "tenant",
            "subject",
            "level",
            "status",
            "assignee",
            "due",
            "updated_at",
            "take",
        )
        sequence = fields
        order_by = (DEFAULT_ORDER,)
        empty_text = "No open tickets match these filters."
        template_name = "tables/cells.html"
        attrs = {"class": "table queue-table stack-on-phone"}

    def __init__(self, *args, user, now: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.now = now
        self._detail_url = reverse_each("tickets:detail", SLOT)
        self._take_url = reverse_each("tickets:action", SLOT, "take")
        self._csrf_token: str | None = None
        self.tz = timezone.get_current_timezone()

    def urgency(self, record: dict) -> str:
        """'overdue', 'at-risk' or ''."""
        due = record["next_due_at"]
        if due is None:
            return ""
        if due < self.now:
            return "overdue"
        if due <= self.now + AT_RISK_WINDOW:
            return "at-risk"
        return ""

    def row_attributes(self, record: dict) -> str:
        return f'data-ticket="{int(record["id"])}" class="{self.urgency(record)}"'

    # --- ordering -----------------------------------------------------------------------------
    def order_due(self, queryset: QuerySet, is_descending: bool) -> tuple[QuerySet, bool]:
        return queryset.order_by(*urgency_order(descending=is_descending)), True

    # --- cells: each takes the record and returns its HTML, escaping the values it shows -----
    def cell_number(self, record: dict) -> str:
        pk = int(record["id"])
        return f'<a href="{self._detail_url(pk)}">#{pk}</a>'

    def cell_priority(self, record: dict) -> str:
        priority = record["priority"]
        if not priority:
            return '<span class="muted" title="Service request">SR</span>'
        label = escape(PRIORITY_LABELS.get(priority, priority))
        priority = escape(priority)
        return f'<span class="badge badge-{priority}" title="{label}">{priority}</span>'

    def cell_organisation(self, record: dict) -> str:
        return escape(record["organisation__name"])

    def cell_tenant(self, record: dict) -> str:
        kind = record["tenant__kind"]
        label = escape(TENANT_KIND_LABELS.get(kind, kind))
        name = escape(record["tenant__name"])
        return f'{name} <span class="badge badge-{escape(kind)}">{label}</span>'

    def cell_subject(self, record: dict) -> str:
        url = self._detail_url(int(record["id"]))
        return f'<a href="{url}">{escape(record["subject"])}</a>'

    def cell_level(self, record: dict) -> str:
        label = escape(LEVEL_LABELS.get(record["level"], record["level"]))
        return f'<span title="{label}">{escape(record["level"])}</span>'

    def cell_status(self, record: dict) -> str:
        return escape(STATUS_LABELS.get(record["status"], record["status"]))

    def cell_assignee(self, record: dict) -> str:
        if record["assignee_id"] is None:
            return '<span class="muted">Unassigned</span>'
        return escape(record["assignee__full_name"])

    def cell_due(self, record: dict) -> str:
        due = record["next_due_at"]
        if due is None:
            text = "paused" if record["status"] == WAITING else "none"
            return f'<span class="muted">{text}</span>'
        badge = URGENCY_BADGES.get(self.urgency(record))
        cell = _time(due, describe_due(due, self.now), self.tz)
        return f'<span class="{badge}">{cell}</span>' if badge else cell

    def cell_updated_at(self, record: dict) -> str:
        return _time(record["updated_at"], ago(record["updated_at"], self.now), self.tz)

    def cell_take(self, record: dict) -> str:
        # Unassigned tickets only (taking a colleague's ticket is a decision for its page), and
        # only where ``permissions`` lets this person take it: the ticket page's own rule.
        if record["assignee_id"] is not None:
            return ""
        facts = TicketFacts(pk=record["id"], level=record["level"], status=record["status"])
        if not can_take(self.user, facts):
            return ""
        if self._csrf_token is None:
            self._csrf_token = escape(get_token(self.request))
        pk = int(record["id"])
        return (
            f'<form method="post" action="{self._take_url(pk)}" class="inline take-form">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{self._csrf_token}">'
            f'<input type="hidden" name="take-version" value="{int(record["version"])}">'
            f'<button type="submit" class="secondary" aria-label="Take ticket #{pk}">Take</button>'
            "</form>"
        )

    # --- CSV export -----------------------------------------------------------------------------
    def value_number(self, record: dict) -> int:
        return record["id"]

    def value_priority(self, record: dict) -> str:
        return record["priority"] or "SR"

    def value_organisation(self, record: dict) -> str:
        return record["organisation__name"]

    def value_tenant(self, record: dict) -> str:
        kind = record["tenant__kind"]
        return f"{record['tenant__name']} ({TENANT_KIND_LABELS.get(kind, kind)})"

    def value_subject(self, record: dict) -> str:
        return record["subject"]

    def value_level(self, record: dict) -> str:
        return record["level"]

    def value_status(self, record: dict) -> str:
        return STATUS_LABELS.get(record["status"], record["status"])

    def value_assignee(self, record: dict) -> str:
        return record["assignee__full_name"] if record["assignee_id"] else ""

    def value_due(self, record: dict) -> str:
        due = record["next_due_at"]
        return iso_instant(due)

    def value_updated_at(self, record: dict) -> str:
        return iso_instant(record["updated_at"])

"""The engineer queue table: one row per open ticket, most urgent SLA deadline first.

Records are the plain rows of ``queue.queue_tickets`` (dicts of ``QUEUE_COLUMNS``).
django-tables2 gives the columns, their sort order and header classes, the pagination and the
CSV export (through the ``value_*`` methods). ``queue_table.html`` draws the header, the rows
and the page links with ``header_row``, ``body_rows`` (one pass over the ``cell_*`` methods)
and ``pagination_html``: the generic per-cell and per-link template path cost several times
more than the database on a page of 100 rows.
"""

from datetime import datetime, tzinfo
from html import escape

import django_tables2 as tables
from django.db.models import QuerySet
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from lib.formatting import describe_due, iso_instant, when
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
# Placeholder id for building ticket URLs once per page rather than once per row.
_ID = 987654321


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


class QueueTable(tables.Table):
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
        template_name = "tickets/queue_table.html"
        attrs = {"class": "table queue-table stack-on-phone"}

    def __init__(self, *args, user, now: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.now = now
        self._detail_url = reverse("tickets:detail", args=[_ID])
        self._take_url = reverse("tickets:action", args=[_ID, "take"])
        self._csrf_token: str | None = None
        self.tz = timezone.get_current_timezone()

    def _url(self, template: str, pk: int) -> str:
        return template.replace(str(_ID), str(pk), 1)

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

    def _query(self, **changes: object) -> str:
        """This page's query string (filters included) with ``changes``; None drops a key."""
        query = self.request.GET.copy()
        for key, value in changes.items():
            if value is None:
                query.pop(key, None)
            else:
                query[key] = str(value)
        return escape(query.urlencode())

    def header_row(self) -> SafeString:
        """The ``<thead>``: a sort link on each orderable column, back to the first page."""
        cells = []
        for column in self.columns:
            attrs = column.attrs["th"].as_html()
            header = escape(str(column.header))
            if column.orderable:
                query = self._query(
                    **{
                        self.prefixed_order_by_field: column.order_by_alias.next,
                        self.prefixed_page_field: None,
                    }
                )
                header = f'<a href="?{query}">{header}</a>'
            cells.append(f"<th {attrs}>{header}</th>")
        return mark_safe(f"<thead><tr>{''.join(cells)}</tr></thead>")

    def pagination_html(self) -> SafeString:
        """Previous and next: the lazy paginator knows whether another page follows, never
        how many there are."""
        page = getattr(self, "page", None)
        if page is None or not (page.has_previous() or page.has_next()):
            return mark_safe("")
        field = self.prefixed_page_field
        items = []
        if page.has_previous():
            query = self._query(**{field: page.previous_page_number()})
            items.append(f'<li class="previous"><a href="?{query}">previous</a></li>')
        items.append(f'<li class="active"><span aria-current="page">page {page.number}</span></li>')
        if page.has_next():
            query = self._query(**{field: page.next_page_number()})
            items.append(f'<li class="next"><a href="?{query}">next</a></li>')
        return mark_safe(
            f'<nav aria-label="Pages"><ul class="pagination">{"".join(items)}</ul></nav>'
        )

    def body_rows(self) -> SafeString:
        """The ``<tr>`` rows of the current page."""
        # Each cell names its column (data-label), which a phone shows beside the value when
        # the rows stack instead of the header.
        renderers = [
            (getattr(self, f"cell_{column.name}"), escape(str(column.header)))
            for column in self.columns
        ]
        rows = []
        for row in self.paginated_rows:
            record = row.record
            cells = "".join(
                [
                    f'<td data-label="{label}">{render(record)}</td>'
                    if label
                    else f"<td>{render(record)}</td>"
                    for render, label in renderers
                ]
            )
            rows.append(
                f'<tr data-ticket="{int(record["id"])}" class="{self.urgency(record)}">{cells}</tr>'
            )
        # Every cell escapes the values it shows.
        return mark_safe("\n".join(rows))

    # --- ordering -----------------------------------------------------------------------------
    def order_due(self, queryset: QuerySet, is_descending: bool) -> tuple[QuerySet, bool]:
        return queryset.order_by(*urgency_order(descending=is_descending)), True

    # --- cells: each takes the record and returns its HTML, escaping the values it shows -----
    def cell_number(self, record: dict) -> str:
        pk = int(record["id"])
        return f'<a href="{self._url(self._detail_url, pk)}">#{pk}</a>'

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
        url = self._url(self._detail_url, record["id"])
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
            f'<form method="post" action="{self._url(self._take_url, pk)}" class="inline take-form">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{self._csrf_token}">'
            f'<input type="hidden" name="take-version" value="{int(record["version"])}">'
            f'<button type="submit" class="secondary" aria-label="Take ticket #{pk}">Take</button>'
            "</form>"
        )

    # django-tables2's own cell path (any other template than queue_table.html) gets the same
    # HTML, marked safe.
    def render_number(self, record: dict) -> SafeString:
        return mark_safe(self.cell_number(record))

    def render_priority(self, record: dict) -> SafeString:
        return mark_safe(self.cell_priority(record))

    def render_organisation(self, record: dict) -> SafeString:
        return mark_safe(self.cell_organisation(record))

    def render_tenant(self, record: dict) -> SafeString:
        return mark_safe(self.cell_tenant(record))

    def render_subject(self, record: dict) -> SafeString:
        return mark_safe(self.cell_subject(record))

    def render_level(self, record: dict) -> SafeString:
        return mark_safe(self.cell_level(record))

    def render_status(self, record: dict) -> SafeString:
        return mark_safe(self.cell_status(record))

    def render_assignee(self, record: dict) -> SafeString:
        return mark_safe(self.cell_assignee(record))

    def render_due(self, record: dict) -> SafeString:
        return mark_safe(self.cell_due(record))

    def render_updated_at(self, record: dict) -> SafeString:
        return mark_safe(self.cell_updated_at(record))

    def render_take(self, record: dict) -> SafeString:
        return mark_safe(self.cell_take(record))

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

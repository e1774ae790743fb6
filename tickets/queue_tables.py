"""The engineer queue table: one row per open ticket, most urgent SLA deadline first.

Cells render through ``render_*`` methods with ``format_html`` rather than per-cell templates, so
a page of 100 rows stays cheap; ``value_*`` methods give the plain values the CSV export writes.
"""

from datetime import datetime, timedelta

import django_tables2 as tables
from django.db.models import QuerySet
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from .display import describe_due
from .models import Ticket
from .queue import AT_RISK_WINDOW, urgency_order

DATE_FORMAT = "j M Y H:i"


def _local(value: datetime) -> str:
    return dateformat.format(timezone.localtime(value), DATE_FORMAT)


def _time(value: datetime, text: str) -> str:
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', value.isoformat(), _local(value), text
    )


class QueueTable(tables.Table):
    number = tables.Column(
        accessor="pk",
        verbose_name="Ticket",
        linkify=("tickets:detail", {"ticket_id": tables.A("pk")}),
        order_by=("pk",),
    )
    priority = tables.Column(empty_values=(), order_by=("priority", "pk"))
    organisation = tables.Column(
        accessor="organisation__name",
        verbose_name="Organisation",
        order_by=("organisation__name", "pk"),
    )
    tenant = tables.Column(
        accessor="tenant__name", verbose_name="Tenant", order_by=("tenant__name", "pk")
    )
    subject = tables.Column(
        linkify=("tickets:detail", {"ticket_id": tables.A("pk")}), order_by=("subject", "pk")
    )
    level = tables.Column(order_by=("level", "pk"))
    status = tables.Column(order_by=("status", "pk"))
    assignee = tables.Column(
        accessor="assignee__full_name",
        verbose_name="Assignee",
        empty_values=(None, ""),
        default="Unassigned",
        order_by=("assignee__full_name", "pk"),
    )
    due = tables.Column(accessor="next_due_at", verbose_name="Next SLA deadline", empty_values=())
    updated_at = tables.Column(verbose_name="Last update", order_by=("updated_at", "pk"))
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
        order_by = ("due",)
        empty_text = "No open tickets match these filters."
        attrs = {"class": "table queue-table"}
        row_attrs = {
            "data-ticket": lambda record: record.pk,
            "class": lambda record, table: table.row_class(record),
        }

    def __init__(self, *args, user, now: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.now = now
        # Only an engineer at the ticket's level takes it for themselves; managers assign from
        # the ticket page. The same rule as the ticket page's "take" action.
        self.takes_level = (
            user.support_level if user.is_support_engineer and not user.is_support_manager else None
        )

    def row_class(self, record: Ticket) -> str:
        due = record.next_due_at
        if due is None:
            return ""
        if due < self.now:
            return "overdue"
        if due <= self.now + AT_RISK_WINDOW:
            return "at-risk"
        return ""

    # --- ordering -----------------------------------------------------------------------------
    def order_due(self, queryset: QuerySet[Ticket], is_descending: bool):
        return queryset.order_by(*urgency_order(descending=is_descending)), True

    # --- cells ----------------------------------------------------------------------------------
    def render_number(self, value: int) -> str:
        return f"#{value}"

    def render_priority(self, record: Ticket) -> str:
        if not record.priority:
            return mark_safe('<span class="muted" title="Service request">SR</span>')
        return format_html(
            '<span class="badge badge-{}" title="{}">{}</span>',
            record.priority,
            record.get_priority_display(),
            record.priority,
        )

    def render_tenant(self, value: str, record: Ticket) -> str:
        kind = record.tenant.kind
        return format_html(
            '{} <span class="badge badge-{}">{}</span>',
            value,
            kind,
            record.tenant.get_kind_display(),
        )

    def render_level(self, record: Ticket) -> str:
        return format_html('<span title="{}">{}</span>', record.get_level_display(), record.level)

    def render_status(self, record: Ticket) -> str:
        return record.get_status_display()

    def render_due(self, record: Ticket) -> str:
        due = record.next_due_at
        if due is None:
            text = "paused" if record.status == Ticket.Status.WAITING else "none"
            return format_html('<span class="muted">{}</span>', text)
        css = self.row_class(record)
        badge = {"overdue": "badge badge-breached", "at-risk": "badge badge-at-risk"}.get(css)
        text = describe_due(due, self.now)
        if badge:
            return format_html('<span class="{}">{}</span>', badge, _time(due, text))
        return _time(due, text)

    def render_updated_at(self, value: datetime) -> str:
        if self.now - value < timedelta(minutes=1):
            return _time(value, "just now")
        return _time(value, f"{timesince(value, self.now, depth=1)} ago")

    def render_take(self, record: Ticket) -> str:
        if record.assignee_id is not None or record.level != self.takes_level:
            return ""
        return format_html(
            '<form method="post" action="{}" class="inline take-form">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="take-version" value="{}">'
            '<button type="submit" class="secondary" aria-label="Take ticket #{}">Take</button>'
            "</form>",
            reverse("tickets:action", args=[record.pk, "take"]),
            get_token(self.request),
            record.version,
            record.pk,
        )

    # --- CSV export -----------------------------------------------------------------------------
    def value_number(self, value: int) -> int:
        return value

    def value_priority(self, record: Ticket) -> str:
        return record.priority or "SR"

    def value_tenant(self, value: str, record: Ticket) -> str:
        return f"{value} ({record.tenant.get_kind_display()})"

    def value_level(self, record: Ticket) -> str:
        return record.level

    def value_status(self, record: Ticket) -> str:
        return record.get_status_display()

    def value_due(self, record: Ticket) -> str:
        due = record.next_due_at
        return timezone.localtime(due).isoformat() if due else ""

    def value_updated_at(self, value: datetime) -> str:
        return timezone.localtime(value).isoformat()

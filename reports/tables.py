"""The report tables. Each cell's text comes from one method that both the page and the CSV
export use (``render_*`` calls ``value_*``), so an export holds exactly the numbers shown."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from lib.formatting import clock_duration, iso_instant, when
from sla.deadlines import Clock

from .compliance import DimensionLine, Figure


def percent(value: Decimal | None) -> str:
    return "–" if value is None else f"{value} %"


def used_time(seconds: float | None) -> str:
    """Clock time used, to the minute (the table says which clock)."""
    if seconds is None:
        return "–"
    whole = int(round(seconds / 60)) * 60
    return clock_duration(whole) if whole else "under 1 min"


def clock_name(clock: str) -> str:
    return "Business hours" if clock == Clock.BUSINESS else "24/7"


GOAL_WORDS = {True: "met", False: "missed", None: "–"}


class ComplianceTable(tables.Table):
    priority = tables.Column(verbose_name="Priority", empty_values=())
    target = tables.Column(verbose_name="Target", accessor="kind_label")
    clock = tables.Column(verbose_name="Clock")
    due = tables.Column(verbose_name="Due in period")
    met = tables.Column(verbose_name="Met")
    missed = tables.Column(verbose_name="Missed")
    open_overdue = tables.Column(verbose_name="Still open")
    not_yet_due = tables.Column(verbose_name="Not yet due")
    compliance = tables.Column(verbose_name="Compliance", empty_values=())
    goal = tables.Column(verbose_name="Goal", empty_values=())
    median = tables.Column(verbose_name="Median time used", empty_values=())
    p90 = tables.Column(verbose_name="90th percentile", empty_values=())

    class Meta:
        orderable = False
        empty_text = "No targets fell due in this period."
        attrs = {"class": "table report-table"}

    def __init__(self, data, *, breaches_url: str = "", **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.breaches_url = breaches_url

    def value_priority(self, record: Figure) -> str:
        return record.priority or "Service request"

    def value_compliance(self, record: Figure) -> str:
        return percent(record.compliance)

    def value_goal(self, record: Figure) -> str:
        return f"{record.goal} % {GOAL_WORDS[record.goal_met]}"

    def value_clock(self, record: Figure) -> str:
        return clock_name(record.clock)

    def render_clock(self, record: Figure) -> str:
        return self.value_clock(record)

    def value_median(self, record: Figure) -> str:
        return used_time(record.median_seconds)

    def value_p90(self, record: Figure) -> str:
        return used_time(record.p90_seconds)

    def render_priority(self, record: Figure):
        if not record.priority:
            return "Service request"
        return format_html(
            '<span class="badge badge-{}">{}</span>', record.priority, record.priority
        )

    def value_missed(self, record: Figure) -> int:
        return record.missed

    def render_missed(self, record: Figure):
        if not record.missed or not self.breaches_url:
            return record.missed
        query = f"&priority={record.priority}&kind={record.kind}"
        return format_html('<a href="{}{}">{}</a>', self.breaches_url, query, record.missed)

    def render_compliance(self, record: Figure):
        return self.value_compliance(record)

    def render_goal(self, record: Figure):
        css = {True: "ok-text", False: "bad-text", None: "muted"}[record.goal_met]
        return format_html(
            '{} % <span class="{}">{}</span>', record.goal, css, GOAL_WORDS[record.goal_met]
        )

    def render_median(self, record: Figure):
        return self.value_median(record)

    def render_p90(self, record: Figure):
        return self.value_p90(record)


class DimensionTable(tables.Table):
    name = tables.Column(verbose_name="", empty_values=())
    met = tables.Column(verbose_name="Met")
    missed = tables.Column(verbose_name="Missed")
    open_overdue = tables.Column(verbose_name="Open and overdue")
    compliance = tables.Column(verbose_name="Compliance", empty_values=())

    class Meta:
        orderable = False
        empty_text = "No targets were decided in this period."
        attrs = {"class": "table report-table"}

    def __init__(self, data, *, names: dict, title: str, link, nobody: str, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.names = names
        self.link = link
        self.nobody = nobody
        self.columns["name"].column.verbose_name = title

    def value_name(self, record: DimensionLine) -> str:
        if record.value in (None, ""):
            return self.nobody
        return str(self.names.get(record.value, record.value))

    def value_compliance(self, record: DimensionLine) -> str:
        return percent(record.compliance)

    def render_name(self, record: DimensionLine):  # the CSV gets ``value_name``
        text = self.value_name(record)
        if record.value in (None, ""):
            return text
        return format_html('<a href="{}">{}</a>', self.link(record.value), text)

    def render_compliance(self, record: DimensionLine):
        return self.value_compliance(record)


class BreachTable(tables.Table):
    ticket = tables.Column(verbose_name="Ticket", accessor="ticket_id", order_by=("ticket_id",))
    organisation = tables.Column(accessor="organisation__name", order_by=("organisation__name",))
    tenant = tables.Column(accessor="tenant__name", order_by=("tenant__name",))
    priority = tables.Column(order_by=("priority", "due_at"), empty_values=())
    target = tables.Column(accessor="kind", order_by=("kind", "cycle"))
    due_at = tables.Column(verbose_name="Due")
    met_at = tables.Column(verbose_name="Met at", empty_values=())
    late = tables.Column(verbose_name="Late by", empty_values=(), orderable=False)
    clock = tables.Column(verbose_name="Clock")
    held = tables.Column(verbose_name="Held by", empty_values=(), order_by=("held_level",))

    class Meta:
        order_by = ("due_at",)
        empty_text = "No target was missed in this period."
        attrs = {"class": "table report-table"}

    def __init__(self, data, *, now: datetime, lateness, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.now = now
        self.lateness = lateness
        self.tz = timezone.get_current_timezone()

    def value_ticket(self, record) -> str:
        return f"#{record.ticket_id} {record.ticket.subject}"

    def value_target(self, record) -> str:
        return record.label

    def value_due_at(self, record) -> str:
        return iso_instant(record.due_at, self.tz)

    def value_met_at(self, record) -> str:
        if record.met_at is not None:
            return iso_instant(record.met_at, self.tz)
        if record.ended_at is not None:
            return f"closed unmet {iso_instant(record.ended_at, self.tz)}"
        return "still open"

    def value_late(self, record) -> str:
        text = used_time(self.lateness(record, self.now))
        return text if record.met_at or record.ended_at else f"{text} so far"

    def value_clock(self, record) -> str:
        return clock_name(record.clock)

    def render_clock(self, record) -> str:
        return self.value_clock(record)

    def value_held(self, record) -> str:
        who = record.held_by.full_name if record.held_by else "unassigned"
        return f"{record.held_level or '–'}, {who}"

    def render_ticket(self, record):
        url = reverse("tickets:detail", args=[record.ticket_id])
        return format_html('<a href="{}">#{}</a> {}', url, record.ticket_id, record.ticket.subject)

    def render_target(self, record):
        return self.value_target(record)

    def render_due_at(self, record):
        return when(record.due_at, self.tz)

    def render_met_at(self, record):
        if record.met_at is not None:
            return when(record.met_at, self.tz)
        if record.ended_at is not None:
            return f"closed unmet {when(record.ended_at, self.tz)}"
        return mark_safe('<span class="bad-text">still open</span>')

    def render_late(self, record):
        return self.value_late(record)

    def render_held(self, record):
        return self.value_held(record)

    def value_priority(self, record) -> str:
        return record.priority or "Service request"

    def render_priority(self, record):
        if not record.priority:
            return "Service request"
        return format_html(
            '<span class="badge badge-{}">{}</span>', record.priority, record.priority
        )

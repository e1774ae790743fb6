"""Tables of the availability pages (django-tables2) and their CSV export.

The month tables draw plain dicts that the view computed (availability is arithmetic, not a
column), sorted below-target first by default; ``sort_*`` keys put unmeasured rows last.
"""

from datetime import UTC
from operator import itemgetter

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_tables2.data import TableListData
from django_tables2.export import TableExport
from django_tables2.utils import OrderBy
from tablib import Dataset

from lib.tables import InstantColumn

from .display import minutes, percent, window_time
from .models import Outage

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A CSV cell a spreadsheet shows as text: a leading formula character gets a single quote
    in front. Numbers stay numbers (a negative number is data, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvExport(TableExport):
    """CSV only, every header and cell neutralised."""

    @classmethod
    def is_valid_format(cls, export_format):
        return export_format == cls.CSV

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = Dataset(**{"title": "Availability", **(dataset_kwargs or {})})
        for index, row in enumerate(table.as_values(exclude_columns=exclude_columns)):
            cells = [neutralise(cell) for cell in row]
            if index == 0:
                dataset.headers = cells
            else:
                dataset.append(cells)
        return dataset


class PlainRowsData(TableListData):
    """Rows of plain dicts, sorted by the values their columns order by. Every such value is
    set (``sort_*`` keys stand in for figures that may be missing), so Python's sort can take
    them directly instead of django-tables2's comparator, which resolves accessors on each of
    the ~10,000 comparisons a page of 1,000 tenants needs."""

    def order_by(self, aliases):
        keys = []
        for alias in aliases:
            column = self.table.columns[OrderBy(alias).bare]
            same = alias[0] == column.order_by_alias[0]
            keys += column.order_by if same else column.order_by.opposite
        # Stable sorts from the least significant key up give the combined order.
        for key in reversed(keys):
            self.data.sort(key=itemgetter(key.bare), reverse=key.is_descending)


def _percent_cell(record, key="percent"):
    value = record[key]
    if value is None:
        return "–"
    css = "bad-text" if record.get("below_target") else "ok-text"
    return format_html('<span class="{}">{}</span>', css, percent(value))


class TenantMonthTable(tables.Table):
    tenant = tables.Column(verbose_name="Tenant", order_by=("tenant",))
    organisation = tables.Column(verbose_name="Organisation")
    region = tables.Column(verbose_name="Region")
    kind = tables.Column(verbose_name="Kind")
    percent = tables.Column(verbose_name="Availability", order_by=("sort_percent", "tenant"))
    target = tables.Column(verbose_name="Target", orderable=False)
    unavailable = tables.Column(verbose_name="Counted downtime", order_by=("sort_unavailable",))
    maintenance = tables.Column(verbose_name="Maintenance", order_by=("sort_maintenance",))
    outages = tables.Column(verbose_name="Outages", order_by=("outages",))

    class Meta:
        order_by = ("percent",)
        empty_text = "No tenant was in service in that month."
        attrs = {"class": "table", "id": "availability-table"}
        row_attrs = {"data-tenant": lambda record: record["tenant"]}
        template_name = "availability/table.html"

    def __init__(self, *args, customer: bool = False, **kwargs):
        exclude = ("organisation",) if customer else ()
        super().__init__(*args, exclude=exclude, **kwargs)

    def render_tenant(self, record):
        url = reverse(
            "availability:tenant_month",
            kwargs={
                "tenant_id": record["tenant_id"],
                "year": record["year"],
                "month": record["month"],
            },
        )
        return format_html('<a href="{}">{}</a>', url, record["tenant"])

    def value_tenant(self, record):
        return record["tenant"]

    def render_percent(self, record):
        return _percent_cell(record)

    def render_target(self, value):
        return percent(value)

    def render_unavailable(self, value):
        return minutes(value)

    def render_maintenance(self, value):
        return minutes(value)

    def value_percent(self, record):
        return "" if record["percent"] is None else str(record["percent"])

    def value_target(self, value):
        return "" if value is None else str(value)

    def value_unavailable(self, value):
        return "" if value is None else f"{value.total_seconds() / 60:.2f}"

    def value_maintenance(self, value):
        return "" if value is None else f"{value.total_seconds() / 60:.2f}"


class GroupMonthTable(tables.Table):
    """One row per organisation or region: combined availability is the group's available time
    over its scheduled time, so a big tenant weighs like it should."""

    name = tables.Column(verbose_name="Name")
    tenants = tables.Column(verbose_name="Tenants measured")
    below = tables.Column(verbose_name="Below target")
    lowest = tables.Column(verbose_name="Lowest", order_by=("sort_lowest", "name"))
    percent = tables.Column(verbose_name="Combined", order_by=("sort_percent", "name"))
    unavailable = tables.Column(verbose_name="Counted downtime", order_by=("sort_unavailable",))

    class Meta:
        order_by = ("-below", "lowest")
        empty_text = "No tenant was in service in that month."
        attrs = {"class": "table", "id": "availability-table"}
        row_attrs = {"data-group": lambda record: record["name"]}
        template_name = "availability/table.html"

    def __init__(self, *args, grouping: str = "organisation", **kwargs):
        super().__init__(*args, **kwargs)
        self.columns["name"].column.verbose_name = grouping.capitalize()

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', record["url"], record["name"])

    def value_name(self, record):
        return record["name"]

    def render_lowest(self, record):
        return _percent_cell({"percent": record["lowest"], "below_target": record["below"] > 0})

    def render_percent(self, record):
        return _percent_cell(record)

    def render_unavailable(self, value):
        return minutes(value)

    def value_lowest(self, value):
        return "" if value is None else str(value)

    def value_percent(self, value):
        return "" if value is None else str(value)

    def value_unavailable(self, value):
        return f"{value.total_seconds() / 60:.2f}"


class OutageTable(tables.Table):
    starts_at = InstantColumn(
        verbose_name="Started",
        linkify=("availability:outage_detail", {"outage_id": tables.A("pk")}),
    )
    ends_at = InstantColumn(verbose_name="Ended", default="Ongoing")
    tenant = tables.Column(accessor="tenant__name", verbose_name="Tenant")
    organisation = tables.Column(accessor="tenant__organisation__name", verbose_name="Organisation")
    scope = tables.Column(verbose_name="Scope")
    cause = tables.Column(verbose_name="Cause", orderable=False)

    class Meta:
        model = Outage
        fields = ("starts_at", "ends_at", "tenant", "organisation", "scope", "cause")
        order_by = ("-starts_at",)
        empty_text = "No outage matches."
        attrs = {"class": "table"}

    def render_cause(self, value):
        return value if len(value) <= 120 else value[:117] + "…"


class WindowTable(tables.Table):
    """Maintenance windows: stored rows, and weekly occurrences not stored yet (``pk`` None),
    which open through a small form that gives them a row."""

    starts_at = tables.Column(verbose_name="When", orderable=False, empty_values=())
    region = tables.Column(accessor="get_region_display", verbose_name="Region", orderable=False)
    kind = tables.Column(accessor="get_kind_display", verbose_name="Kind", orderable=False)
    state = tables.Column(verbose_name="State", orderable=False, empty_values=())
    summary = tables.Column(verbose_name="What for", orderable=False, default="")
    manage = tables.Column(verbose_name="", orderable=False, empty_values=())

    class Meta:
        empty_text = "No maintenance window in that period."
        attrs = {"class": "table", "id": "window-table"}
        row_attrs = {"data-region": lambda record: record.region}

    def __init__(self, *args, tz, csrf_token: str = "", now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.csrf_token = csrf_token
        self.now = now

    def render_starts_at(self, record):
        return window_time(record.starts_at, record.ends_at, self.tz)

    def render_state(self, record):
        if record.is_cancelled:
            return mark_safe('<span class="badge badge-breached">Cancelled</span>')
        badges = [("badge-met", "Used") if record.used else ("", "Reserved")]
        if record.is_moved:
            badges.append(("badge-at-risk", "Moved"))
        if self.now is not None and record.starts_at <= self.now < record.ends_at:
            badges.append(("badge-at-risk", "In progress"))
        return format_html_join(" ", '<span class="badge {}">{}</span>', badges)

    def render_manage(self, record):
        if record.pk:
            url = reverse("availability:window_detail", kwargs={"window_id": record.pk})
            return format_html('<a href="{}">Open</a>', url)
        return format_html(
            '<form method="post" action="{}" class="inline">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="region" value="{}">'
            '<input type="hidden" name="planned_starts_at" value="{}">'
            '<button type="submit" class="link">Open</button></form>',
            reverse("availability:maintenance_open"),
            self.csrf_token,
            record.region,
            record.planned_starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S%z"),
        )

"""Monthly availability: every tenant's month for support staff (per tenant, organisation or
region, CSV), a customer's own tenants with what is behind each figure, and one tenant's months."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export.views import ExportMixin

from lib.pagination import BoundedPaginator
from sla import availability as arithmetic
from sla.availability import PARTIAL_OUTAGES_EXPLAINED
from tenants.access import scope_for_user
from tenants.models import Region, Tenant
from tickets.models import Ticket

from .. import charts, permissions, selectors
from ..filters import AvailabilityFilter, cleaned, month_of
from ..models import Outage
from ..tables import (
    GroupMonthTable,
    PlainRowsData,
    SafeCsvExport,
    TenantMonthTable,
)
from .common import PAGE_SIZE, month_label, require, shift, valid_month

NOT_MEASURED_SORT = 1000.0  # sorts unmeasured rows after every percentage
MICROSECOND = timedelta(microseconds=1)


def _tenant_row(tm: selectors.TenantMonth) -> dict[str, Any]:
    tenant, figures = tm.tenant, tm.figures
    percent = figures.percent if figures else None
    row = {
        "tenant_id": tenant.pk,
        "tenant": tenant.name,
        "organisation": tenant.organisation_name,
        "organisation_id": tenant.organisation_id,
        "region": REGION_LABELS[tenant.region],
        "region_key": tenant.region,
        "kind": KIND_LABELS[tenant.kind],
        "year": tm.year,
        "month": tm.month,
        "percent": percent,
        "target": tenant.target,
        "below_target": tm.below_target,
        "sort_percent": float(percent) if percent is not None else NOT_MEASURED_SORT,
        "outages": len(tm.outages),
        "unavailable": None,
        "maintenance": None,
        "sort_unavailable": -1.0,
        "sort_maintenance": -1.0,
        "available_us": 0,
        "scheduled_us": 0,
    }
    if figures:
        row.update(
            unavailable=figures.unavailable,
            maintenance=figures.maintenance,
            sort_unavailable=figures.unavailable.total_seconds(),
            sort_maintenance=figures.maintenance.total_seconds(),
            available_us=figures.available // MICROSECOND,
            scheduled_us=figures.scheduled // MICROSECOND,
        )
    return row


REGION_LABELS = dict(Region.choices)
KIND_LABELS = dict(Tenant.Kind.choices)


def _group_rows(rows: list[dict], grouping: str, query: dict[str, str]) -> list[dict[str, Any]]:
    """One row per organisation or region: how many tenants, how many below target, the lowest
    figure, and the combined figure (the group's available time over its scheduled time)."""
    groups: dict[Any, list[dict]] = defaultdict(list)
    for row in rows:
        if grouping == "organisation":
            groups[row["organisation_id"], row["organisation"]].append(row)
        else:
            groups[row["region_key"], row["region"]].append(row)
    base = reverse("availability:month") + "?"
    result = []
    for (key, name), members in groups.items():
        measured = [m for m in members if m["percent"] is not None]
        scheduled = sum(m["scheduled_us"] for m in measured)
        combined = None
        if scheduled:
            available = sum(m["available_us"] for m in measured)
            combined = Decimal((available * 100_000) // scheduled).scaleb(-3)
        lowest = min((m["percent"] for m in measured), default=None)
        below = sum(1 for m in members if m["below_target"])
        unavailable = sum((m["unavailable"] for m in measured), timedelta(0))
        result.append(
            {
                "name": name,
                "tenants": len(measured),
                "below": below,
                "lowest": lowest,
                "sort_lowest": float(lowest) if lowest is not None else NOT_MEASURED_SORT,
                "percent": combined,
                "below_target": below > 0,
                "sort_percent": float(combined) if combined is not None else NOT_MEASURED_SORT,
                "unavailable": unavailable,
                "sort_unavailable": unavailable.total_seconds(),
                "url": base + _encode({**query, "by": "tenant", grouping: key}),
            }
        )
    return result


def _encode(params: dict[str, Any]) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


class MonthView(ExportMixin, SingleTableMixin, FilterView):
    """A month's availability: every tenant for support staff (per tenant, organisation or
    region, below target first, CSV), a customer's own tenants with the outages and maintenance
    behind each figure."""

    filterset_class = AvailabilityFilter
    template_name = "availability/month.html"
    export_class = SafeCsvExport
    export_formats = (SafeCsvExport.CSV,)
    table_pagination = {"per_page": PAGE_SIZE, "paginator_class": BoundedPaginator}

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.now = timezone.now()

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        require(
            user.is_customer or permissions.can_view_all(user),
            "Availability is shown to customers and support staff.",
        )
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return (
            scope_for_user(Tenant.objects.all(), self.request.user)
            .filter(provisioned_at__isnull=False)
            .order_by("name")
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        # The month field shows the month on screen: this month unless one was chosen.
        data = self.request.GET.copy()
        if not data.get("month"):
            data["month"] = "{:04d}-{:02d}".format(*self.default_month)
        kwargs["data"] = data
        kwargs["user"] = self.request.user
        return kwargs

    @property
    def customer(self) -> bool:
        return self.request.user.is_customer

    @cached_property
    def zone(self):
        """Where the page's "this month" is: the zone pages show times in (Europe/Helsinki).
        Each tenant's month is still computed in its own organisation's SLA calendar zone."""
        return timezone.get_current_timezone()

    @cached_property
    def default_month(self) -> tuple[int, int]:
        return selectors.current_month(self.now, self.zone)

    def _compute(self) -> list[dict[str, Any]]:
        if hasattr(self, "_rows"):
            return self._rows
        data = cleaned(self.filterset)
        self.year, self.month = month_of(self.filterset, self.default_month)
        self.month_is_running = (self.year, self.month) == self.default_month
        months = []
        if self.filterset.is_valid():
            months = selectors.tenant_months(
                selectors.tenant_rows(self.object_list),
                self.year,
                self.month,
                now=self.now,
                with_details=self.customer,
            )
        self.months = [m for m in months if m.figures is not None]
        rows = [_tenant_row(m) for m in self.months]
        if data.get("below"):
            rows = [r for r in rows if r["below_target"]]
        self.grouping = data.get("by") or "tenant"
        self.tenant_rows = rows
        if self.grouping != "tenant":
            query = {k: v for k, v in self.request.GET.items() if k in self.filterset.filters}
            rows = _group_rows(rows, self.grouping, query)
        self._rows = rows
        return rows

    def get_table_data(self):
        return PlainRowsData(self._compute())

    def get_table_class(self):
        self._compute()
        return TenantMonthTable if self.grouping == "tenant" else GroupMonthTable

    def get_table_kwargs(self):
        self._compute()
        if self.grouping == "tenant":
            return {"customer": self.customer}
        return {"grouping": self.grouping}

    def get_table_pagination(self, table):
        if self.export_class.is_valid_format(self.request.GET.get(self.export_trigger_param)):
            return False
        return super().get_table_pagination(table)

    def get_export_filename(self, export_format: str) -> str:
        self._compute()
        return f"availability-{self.year:04d}-{self.month:02d}-{self.grouping}.{export_format}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = self.tenant_rows
        target = next((r["target"] for r in rows if r["target"] is not None), None)
        context.update(
            month_label=month_label(self.year, self.month),
            month_value=f"{self.year:04d}-{self.month:02d}",
            month_is_running=self.month_is_running,
            previous=shift(self.year, self.month, -1),
            following=shift(self.year, self.month, 1),
            measured_count=len(rows),
            below_count=sum(1 for r in rows if r["below_target"]),
            target=target,
            grouping=self.grouping,
            customer=self.customer,
            partial_rule=PARTIAL_OUTAGES_EXPLAINED,
            tz=self.zone,
            details=_details(self.months, self.request.user, self.now) if self.customer else [],
            can_record=permissions.can_record_outages(self.request.user),
        )
        return context


def _details(months: list[selectors.TenantMonth], user, now: datetime) -> list[dict[str, Any]]:
    """For each tenant month: its outages with the time each counted and its windows."""
    linked = _linked_tickets([o.pk for m in months for o in m.outages], user)
    result = []
    for tm in months:
        excluded = selectors.excluded_spans(tm.windows)
        result.append(
            {
                "month": tm,
                "outages": [
                    {
                        "outage": o,
                        "counted": arithmetic.outage_counted_time(
                            selectors.as_outage_span(o),
                            measured=tm.measured,
                            maintenance=excluded,
                            now=now,
                        ),
                        "tickets": linked.get(o.pk, []),
                    }
                    for o in tm.outages
                ],
                # Only windows inside the measured time were excluded (a running month has
                # windows still to come).
                "windows": [
                    w
                    for w in tm.windows
                    if w.starts_at < tm.measured.end and w.ends_at > tm.measured.start
                ],
            }
        )
    return result


def _linked_tickets(outage_ids: list[int], user) -> dict[int, list[Ticket]]:
    if not outage_ids:
        return {}
    visible = scope_for_user(Ticket.objects.all(), user).values("pk")
    links = defaultdict(list)
    for link in (
        Outage.tickets.through.objects.filter(outage_id__in=outage_ids, ticket_id__in=visible)
        .select_related("ticket")
        .order_by("ticket_id")
    ):
        links[link.outage_id].append(link.ticket)
    return links


@require_safe
def tenant_history(request: HttpRequest, tenant_id: int):
    """A tenant's last 12 months as a chart and a table."""
    tenant = selectors.tenant_row_for_user(request.user, tenant_id)
    now = timezone.now()
    year, month = selectors.current_month(now, tenant.tz)
    history = selectors.tenant_history(tenant, year=year, month=month, count=12, now=now)
    target = history[-1].target
    bars = [
        charts.Bar(
            label=f"{date(h.year, h.month, 1):%b %Y}", value=h.percent, below_target=h.below_target
        )
        for h in history
    ]
    chart = charts.availability_bars(
        bars, target=target, title=f"Monthly availability of {tenant.name}, last 12 months"
    )
    return render(
        request,
        "availability/tenant.html",
        {
            "tenant": tenant,
            "history": list(reversed(history)),
            "chart": chart,
            "target": target,
            "partial_rule": PARTIAL_OUTAGES_EXPLAINED,
            "can_record": permissions.can_record_outages(request.user),
        },
    )


@require_safe
def tenant_month(request: HttpRequest, tenant_id: int, year: int, month: int):
    """The figures behind one tenant's month: measured time, every window and outage."""
    tenant = selectors.tenant_row_for_user(request.user, tenant_id)
    valid_month(year, month)
    now = timezone.now()
    [tm] = selectors.tenant_months([tenant], year, month, now=now, with_details=True)
    tz = tenant.tz
    details = _details([tm], request.user, now)[0] if tm.figures else None
    return render(
        request,
        "availability/tenant_month.html",
        {
            "tenant": tenant,
            "tm": tm,
            "figures": tm.figures,
            "details": details,
            "windows": tm.windows,
            "tz": tz,
            "month_label": month_label(year, month),
            "previous": shift(year, month, -1).split("-"),
            "following": shift(year, month, 1).split("-"),
            "allowance": tm.figures.allowance(tm.target) if tm.figures and tm.target else None,
            "partial_rule": PARTIAL_OUTAGES_EXPLAINED,
            "can_record": permissions.can_record_outages(request.user),
        },
    )

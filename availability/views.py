"""Availability pages: the status page, monthly availability (all tenants for staff, their own
for customers), a tenant's months, outages, maintenance windows, notice subscriptions and the
statement preview.

Every view that takes an id gets its object through the tenant gate first (``selectors``), so
another organisation's object is a 404 whatever the method; only then are staff-only actions
refused with a 403. Writes go through ``services``; their refusals come back on the form.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Min
from django.http import Http404, HttpRequest
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin
from django_tables2.export.views import ExportMixin

from lib.forms import add_service_error
from sla import availability as arithmetic
from sla.availability import PARTIAL_OUTAGES_EXPLAINED, DayState, OutageSpan, Span
from tenants.access import object_for_user, scope_for_user
from tenants.models import REGION_OF_DATA_CENTRE, DataCentre, Organisation, Region, Tenant, User
from tickets.models import Ticket
from tickets.selectors import ticket_for_user

from . import charts, forms, permissions, selectors, services
from .display import percent, weekday_name, window_time
from .filters import AvailabilityFilter, OutageFilter, WindowListForm, cleaned, month_of
from .models import MaintenanceNotice, MaintenanceSubscription, Outage, SlaStatement
from .statements import statement_for, statement_message, statement_recipients
from .tables import (
    GroupMonthTable,
    OutageTable,
    PlainRowsData,
    SafeCsvExport,
    TenantMonthTable,
    WindowTable,
)

STRIP_DAYS = 90
UPCOMING = timedelta(days=35)
LIST_WEEKS = 8
PAGE_SIZE = 50
NOT_MEASURED_SORT = 1000.0  # sorts unmeasured rows after every percentage
MICROSECOND = timedelta(microseconds=1)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _valid_month(year: int, month: int) -> None:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404("There is no such month.")


def _month_label(year: int, month: int) -> str:
    return f"{date(year, month, 1):%B %Y}"


# --- status ------------------------------------------------------------------------------------


def _notable(days: list[tuple[date, str]]) -> list[tuple[date, str]]:
    """Days worth a line in the table beside a strip (newest first)."""
    quiet = (DayState.OPERATIONAL, DayState.NOT_MEASURED)
    return [(day, DayState.LABELS[state]) for day, state in reversed(days) if state not in quiet]


def _schedule_text(rules) -> dict[str, str]:
    """Each region's weekly window as the service description words it, from its current slot."""
    texts = {}
    for region, region_rules in rules.items():
        rule = region_rules[-1]
        start = datetime.combine(date(2024, 1, 1) + timedelta(days=rule.weekday), rule.start)
        end = start + rule.length
        same = start.date() == end.date()
        texts[region] = (
            f"every {start:%A} {start:%H:%M} – {'' if same else f'{end:%A} '}{end:%H:%M} UTC"
        )
    return texts


def status(request: HttpRequest):
    """Current state, announced maintenance and the last 90 days: a customer's tenants, or
    every region for support staff. It reads the database only (no queue, no worker), in a
    handful of queries, so that it answers while things are on fire."""
    user = request.user
    now = timezone.now()
    if user.is_customer:
        context = _customer_status(user, now)
    else:
        _require(permissions.can_view_all(user), "The status page is for customers and support.")
        context = _staff_status(now)
    return render(request, "availability/status.html", {**context, "now": now})


def _strip_days(now: datetime, tz) -> list[tuple[date, Span]]:
    today = now.astimezone(tz).date()
    return arithmetic.day_spans(today - timedelta(days=STRIP_DAYS - 1), STRIP_DAYS, tz)


def _customer_status(user: User, now: datetime) -> dict[str, Any]:
    tenants = list(scope_for_user(selectors.tenants_with_zone(), user).order_by("name"))
    # The customer's months and days follow their SLA calendar's zone (joined, no query).
    tz = selectors.tenant_zone(tenants[0]) if tenants else timezone.get_current_timezone()
    days = _strip_days(now, tz)
    strip = Span(days[0][1].start, days[-1][1].end)
    regions = {t.region for t in tenants}
    rules = selectors.weekly_rules()
    windows = selectors.maintenance_windows(regions, Span(strip.start, now + UPCOMING), rules=rules)
    outages: dict[int, list[Outage]] = defaultdict(list)
    if tenants:
        for outage in selectors.overlapping_outages(
            strip, tenant_id__in=[t.pk for t in tenants]
        ).order_by("-starts_at"):
            outages[outage.tenant_id].append(outage)
    rows = []
    for tenant in tenants:
        used = selectors.used_spans(windows[tenant.region])
        spans = [selectors.as_outage_span(o) for o in outages[tenant.pk]]
        state = (
            arithmetic.current_state(now=now, outages=spans, maintenance=used)
            if tenant.provisioned_at and tenant.provisioned_at <= now
            else DayState.NOT_MEASURED
        )
        day_list = arithmetic.day_states(
            days, outages=spans, maintenance=used, measured_from=tenant.provisioned_at, now=now
        )
        rows.append(
            {
                "tenant": tenant,
                "state": state,
                "state_label": DayState.LABELS[state],
                "strip": charts.day_strip(day_list, title=f"{tenant.name}, last {STRIP_DAYS} days"),
                "notable": _notable(day_list),
                "ongoing": [o for o in outages[tenant.pk] if o.ends_at is None],
                "recent": outages[tenant.pk][:5],
            }
        )
    return {
        "staff": False,
        "tz": tz,
        "tenant_rows": rows,
        "upcoming": _upcoming(windows, now, tz),
        "schedule": [
            (Region(r).label, text) for r, text in _schedule_text(rules).items() if r in regions
        ],
        "strip_days": STRIP_DAYS,
    }


def _upcoming(windows: dict[str, list], now: datetime, tz) -> list[dict[str, Any]]:
    found = [
        w
        for region_windows in windows.values()
        for w in region_windows
        if w.used and not w.is_cancelled and w.ends_at > now
    ]
    return [
        {
            "window": w,
            "region": w.get_region_display(),
            "weekday": weekday_name(w.starts_at),
            "time": window_time(w.starts_at, w.ends_at, tz),
            "in_progress": w.starts_at <= now,
        }
        for w in sorted(found, key=lambda w: (w.starts_at, w.region))
    ]


def _staff_status(now: datetime) -> dict[str, Any]:
    tz = timezone.get_current_timezone()
    days = _strip_days(now, tz)
    strip = Span(days[0][1].start, days[-1][1].end)
    counts = defaultdict(lambda: {"tenants": 0, "first": None})
    for row in (
        Tenant.objects.filter(provisioned_at__isnull=False)
        .values("data_centre")
        .annotate(n=Count("pk"), first=Min("provisioned_at"))
    ):
        region = REGION_OF_DATA_CENTRE[DataCentre(row["data_centre"])]
        counts[region]["tenants"] += row["n"]
        first = counts[region]["first"]
        counts[region]["first"] = row["first"] if first is None else min(first, row["first"])
    rules = selectors.weekly_rules()
    windows = selectors.maintenance_windows(
        Region.values, Span(strip.start, now + UPCOMING), rules=rules
    )
    # Plain values: the last 90 days of every tenant are thousands of outages.
    per_region: dict[str, list[OutageSpan]] = defaultdict(list)
    ongoing = []
    for pk, centre, starts_at, ends_at, scope, tenant, organisation, cause in (
        selectors.overlapping_outages(strip)
        .order_by("-starts_at")
        .values_list(
            "pk",
            "tenant__data_centre",
            "starts_at",
            "ends_at",
            "scope",
            "tenant__name",
            "tenant__organisation__name",
            "cause",
        )
    ):
        full = scope == Outage.Scope.FULL
        per_region[REGION_OF_DATA_CENTRE[centre]].append(OutageSpan(starts_at, ends_at, full=full))
        if ends_at is None:
            ongoing.append(
                {
                    "pk": pk,
                    "tenant": tenant,
                    "organisation": organisation,
                    "scope": Outage.Scope(scope).label,
                    "starts_at": starts_at,
                    "cause": cause,
                    "full": full,
                }
            )
    schedule = _schedule_text(rules)
    rows = []
    for region in Region.values:
        spans = per_region[region]
        used = selectors.used_spans(windows[region])
        open_full = sum(1 for o in spans if o.end is None and o.full)
        open_partial = sum(1 for o in spans if o.end is None and not o.full)
        state = arithmetic.current_state(now=now, outages=spans, maintenance=used)
        day_list = arithmetic.day_states(
            days, outages=spans, maintenance=used, measured_from=counts[region]["first"], now=now
        )
        rows.append(
            {
                "region": Region(region).label,
                "tenants": counts[region]["tenants"],
                "state": state,
                "state_label": DayState.LABELS[state],
                "open_full": open_full,
                "open_partial": open_partial,
                "strip": charts.day_strip(
                    day_list, title=f"{Region(region).label}, last {STRIP_DAYS} days"
                ),
                "notable": _notable(day_list),
                "schedule": schedule.get(region, "no weekly window"),
            }
        )
    return {
        "staff": True,
        "tz": tz,
        "region_rows": rows,
        "ongoing": ongoing[:100],
        "ongoing_count": len(ongoing),
        "upcoming": _upcoming(windows, now, tz),
        "strip_days": STRIP_DAYS,
    }


# --- monthly availability ----------------------------------------------------------------------


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
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


class MonthView(ExportMixin, SingleTableMixin, FilterView):
    """A month's availability: every tenant for support staff (per tenant, organisation or
    region, below target first, CSV), a customer's own tenants with the outages and maintenance
    behind each figure."""

    filterset_class = AvailabilityFilter
    template_name = "availability/month.html"
    export_class = SafeCsvExport
    export_formats = (SafeCsvExport.CSV,)
    table_pagination = {"per_page": PAGE_SIZE}

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.now = timezone.now()

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        _require(
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
            month_label=_month_label(self.year, self.month),
            month_value=f"{self.year:04d}-{self.month:02d}",
            month_is_running=self.month_is_running,
            previous=_shift(self.year, self.month, -1),
            following=_shift(self.year, self.month, 1),
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


def _shift(year: int, month: int, by: int) -> str:
    index = year * 12 + month - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


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


def tenant_month(request: HttpRequest, tenant_id: int, year: int, month: int):
    """The figures behind one tenant's month: measured time, every window and outage."""
    tenant = selectors.tenant_row_for_user(request.user, tenant_id)
    _valid_month(year, month)
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
            "month_label": _month_label(year, month),
            "previous": _shift(year, month, -1).split("-"),
            "following": _shift(year, month, 1).split("-"),
            "allowance": tm.figures.allowance(tm.target) if tm.figures and tm.target else None,
            "partial_rule": PARTIAL_OUTAGES_EXPLAINED,
            "can_record": permissions.can_record_outages(request.user),
        },
    )


# --- outages -----------------------------------------------------------------------------------


class OutageListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """Every outage, newest first, for support staff."""

    raise_exception = True
    table_class = OutageTable
    filterset_class = OutageFilter
    template_name = "availability/outage_list.html"
    table_pagination = {"per_page": PAGE_SIZE}

    def has_permission(self) -> bool:
        return permissions.can_view_all(self.request.user)

    def get_queryset(self):
        return selectors.outages_for_user(self.request.user)


class _Prefill(django_forms.Form):
    """``?ticket=`` (from a ticket's page) or ``?tenant=`` (from a tenant's availability)."""

    ticket = django_forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    tenant = django_forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


def outage_create(request: HttpRequest):
    """Record an outage; from a ticket's page (``?ticket=``) for that ticket's tenant."""
    user = request.user
    _require(permissions.can_record_outages(user), "Only support staff record outages.")
    prefill = _Prefill(request.GET)
    asked = prefill.cleaned_data if prefill.is_valid() else {}
    ticket = ticket_for_user(user, asked["ticket"]) if asked.get("ticket") else None
    initial = {}
    if asked.get("tenant"):
        initial["tenants"] = [selectors.tenant_for_user(user, asked["tenant"]).pk]
    if ticket is not None:
        initial = {
            "tenants": [ticket.tenant_id],
            "tickets": f"#{ticket.pk}",
            "scope": Outage.Scope.FULL if ticket.priority == "P1" else Outage.Scope.PARTIAL,
            "starts_at": timezone.localtime(ticket.created_at).replace(second=0, microsecond=0),
        }
    form = forms.OutageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outages = services.outage_record(
                actor=user,
                tenants=data["tenant_list"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                scope=data["scope"],
                cause=data["cause"],
                tickets=data["tickets"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            names = ", ".join(o.tenant.name for o in outages[:5])
            more = f" and {len(outages) - 5} more" if len(outages) > 5 else ""
            messages.success(request, f"Outage recorded for {names}{more}.")
            if ticket is not None:
                return redirect("tickets:detail", ticket_id=ticket.pk)
            return redirect("availability:outage_detail", outage_id=outages[0].pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "availability/outage_form.html", {"form": form, "ticket": ticket}, status=status
    )


def _outage_context(request, outage: Outage, **forms_) -> dict[str, Any]:
    user = request.user
    staff = permissions.can_record_outages(user)
    tz = selectors.zone_of(outage.tenant.organisation)
    tickets = list(
        scope_for_user(outage.tickets.all(), user).select_related("tenant").order_by("pk")
    )
    context = {
        "outage": outage,
        "tickets": tickets,
        "tz": tz,
        "staff": staff,
        "partial_rule": PARTIAL_OUTAGES_EXPLAINED,
    }
    if staff:
        context["siblings"] = list(
            Outage.objects.filter(incident=outage.incident)
            .exclude(pk=outage.pk)
            .select_related("tenant")
            .order_by("tenant__name")[:200]
        )
        context["edit_form"] = forms_.get("edit_form") or forms.OutageEditForm(
            initial={
                "scope": outage.scope,
                "starts_at": timezone.localtime(outage.starts_at),
                "ends_at": timezone.localtime(outage.ends_at) if outage.ends_at else None,
                "cause": outage.cause,
                "tickets": forms.ticket_numbers(tickets),
                "version": outage.version,
            }
        )
        context["end_form"] = forms_.get("end_form") or forms.OutageEndForm(
            initial={"version": outage.version}
        )
    return context


def outage_detail(request: HttpRequest, outage_id: int):
    """An outage (customers: their own tenants'); support staff correct it here."""
    outage = selectors.outage_for_user(request.user, outage_id)
    if request.method == "POST":
        _require(permissions.can_record_outages(request.user), "Only support staff change outages.")
        form = forms.OutageEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.outage_update(
                    outage=outage,
                    actor=request.user,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    scope=data["scope"],
                    cause=data["cause"],
                    tickets=data["tickets"],
                    version=data["version"],
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Outage saved; linked tickets show the change.")
                return redirect("availability:outage_detail", outage_id=outage.pk)
        return render(
            request,
            "availability/outage_detail.html",
            _outage_context(request, outage, edit_form=form),
            status=400,
        )
    return render(request, "availability/outage_detail.html", _outage_context(request, outage))


@require_POST
def outage_end(request: HttpRequest, outage_id: int):
    outage = selectors.outage_for_user(request.user, outage_id)
    _require(permissions.can_record_outages(request.user), "Only support staff end outages.")
    form = forms.OutageEndForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ended = services.outage_end(
                outage=outage,
                actor=request.user,
                ends_at=data["ends_at"] or timezone.now(),
                version=data["version"],
                whole_incident=data["whole_incident"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                "Outage ended." if len(ended) == 1 else f"{len(ended)} outages ended.",
            )
            return redirect("availability:outage_detail", outage_id=outage.pk)
    return render(
        request,
        "availability/outage_detail.html",
        _outage_context(request, outage, end_form=form),
        status=400,
    )


# --- maintenance windows -----------------------------------------------------------------------


def maintenance_list(request: HttpRequest):
    """Maintenance windows of every region: stored ones and the weekly recurrence."""
    user = request.user
    _require(permissions.can_view_all(user), "The maintenance list is for support staff.")
    now = timezone.now()
    tz = timezone.get_current_timezone()
    form = WindowListForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("month"):
        span = arithmetic.month_span(data["month"].year, data["month"].month, tz)
        heading = f"Maintenance windows in {data['month']:%B %Y}"
    else:
        today = now.astimezone(tz).date()
        monday = today - timedelta(days=today.weekday())
        start = datetime.combine(monday, datetime.min.time(), tz)
        span = Span(start, start + timedelta(weeks=LIST_WEEKS))
        heading = f"Maintenance windows in the coming {LIST_WEEKS} weeks"
    regions = [data["region"]] if data.get("region") else Region.values
    windows = [
        w
        for region_windows in selectors.maintenance_windows(regions, span).values()
        for w in region_windows
        if (not data.get("kind") or w.kind == data["kind"]) and (not data.get("used") or w.used)
    ]
    windows.sort(key=lambda w: (w.starts_at, w.region))
    table = WindowTable(windows, tz=tz, csrf_token=get_token(request), now=now)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(
        request,
        "availability/maintenance_list.html",
        {
            "form": form,
            "table": table,
            "heading": heading,
            "tz": tz,
            "now": now,
            "can_schedule": permissions.can_schedule_quarterly(user),
        },
        status=200 if form.is_bound is False or form.is_valid() else 400,
    )


@require_POST
def maintenance_open(request: HttpRequest):
    """Give a weekly occurrence its own row, then show it (to mark, move or cancel it)."""
    _require(permissions.can_manage_windows(request.user), "Only support staff change windows.")
    form = forms.WindowOpenForm(request.POST)
    if form.is_valid():
        try:
            window = services.maintenance_window_open(
                region=form.cleaned_data["region"],
                planned_starts_at=form.cleaned_data["planned_starts_at"],
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("availability:window_detail", window_id=window.pk)
    else:
        messages.error(request, "That is not a maintenance window; choose one from the list.")
    return redirect("availability:maintenance_list")


def maintenance_schedule(request: HttpRequest):
    """Schedule a quarterly window (§5.1.2)."""
    _require(
        permissions.can_schedule_quarterly(request.user),
        "Only support managers and administrators schedule quarterly windows.",
    )
    form = forms.QuarterlyWindowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            window = services.maintenance_window_schedule(
                region=data["region"],
                starts_on=data["starts_on"],
                summary=data["summary"],
                used=data["used"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Quarterly window scheduled.")
            return redirect("availability:window_detail", window_id=window.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "availability/schedule_form.html", {"form": form}, status=status)


def _window_context(request, window, **forms_) -> dict[str, Any]:
    user = request.user
    staff = permissions.can_manage_windows(user)
    tz = timezone.get_current_timezone()
    context = {
        "window": window,
        "tz": tz,
        "time": window_time(window.starts_at, window.ends_at, tz),
        "planned_time": window_time(window.planned_starts_at, window.planned_ends_at, tz),
        "staff": staff,
        "now": timezone.now(),
    }
    if staff:
        context["changes"] = list(window.changes.select_related("actor"))
        counts = dict(window.notices.order_by().values_list("kind").annotate(n=Count("pk")))
        context["notices_sent"] = [
            (label, counts.get(kind, 0)) for kind, label in MaintenanceNotice.Kind.choices
        ]
        context["used_form"] = forms_.get("used_form") or forms.WindowUsedForm(
            initial={"used": window.used, "summary": window.summary}
        )
        context["move_form"] = forms_.get("move_form") or forms.WindowMoveForm(
            initial={
                "starts_at": timezone.localtime(window.starts_at),
                "ends_at": timezone.localtime(window.ends_at),
            }
        )
        context["cancel_form"] = forms_.get("cancel_form") or forms.WindowCancelForm()
    return context


def window_detail(request: HttpRequest, window_id: int):
    window = selectors.window_for_user(request.user, window_id)
    return render(request, "availability/window_detail.html", _window_context(request, window))


def _window_action(request, window_id, form_class, form_name, run, done):
    window = selectors.window_for_user(request.user, window_id)
    _require(permissions.can_manage_windows(request.user), "Only support staff change windows.")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(window, form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
            if not hasattr(exc, "error_dict"):
                messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, done)
            return redirect("availability:window_detail", window_id=window.pk)
    window.refresh_from_db()
    return render(
        request,
        "availability/window_detail.html",
        _window_context(request, window, **{form_name: form}),
        status=400,
    )


@require_POST
def window_used(request: HttpRequest, window_id: int):
    return _window_action(
        request,
        window_id,
        forms.WindowUsedForm,
        "used_form",
        lambda w, d: services.maintenance_window_set_used(
            window=w, actor=request.user, used=d["used"], summary=d["summary"]
        ),
        "Saved. Subscribed contacts are told about used windows.",
    )


@require_POST
def window_move(request: HttpRequest, window_id: int):
    return _window_action(
        request,
        window_id,
        forms.WindowMoveForm,
        "move_form",
        lambda w, d: services.maintenance_window_move(
            window=w,
            actor=request.user,
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            reason=d["reason"],
        ),
        "Window moved.",
    )


@require_POST
def window_cancel(request: HttpRequest, window_id: int):
    return _window_action(
        request,
        window_id,
        forms.WindowCancelForm,
        "cancel_form",
        lambda w, d: services.maintenance_window_cancel(
            window=w, actor=request.user, reason=d["reason"]
        ),
        "Window cancelled.",
    )


# --- notices -----------------------------------------------------------------------------------


def notices(request: HttpRequest):
    """A contact switches their own maintenance notices on or off; customer admins also see who
    in their organisation subscribed."""
    user = request.user
    _require(permissions.can_subscribe(user), "Maintenance notices are for customer contacts.")
    form = forms.SubscriptionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            subscribed = form.cleaned_data["subscribed"]
            services.maintenance_subscription_set(user=user, subscribed=subscribed)
            messages.success(
                request,
                "You will receive maintenance notices."
                if subscribed
                else "You will no longer receive maintenance notices.",
            )
            return redirect("availability:notices")
        messages.error(request, "Choose on or off.")
    subscription = MaintenanceSubscription.objects.filter(user=user).first()
    contacts = []
    if user.is_customer_admin:
        contacts = list(
            User.objects.filter(organisation_id=user.organisation_id)
            .select_related("maintenance_subscription")
            .order_by("full_name", "email")
        )
        for contact in contacts:
            sub = getattr(contact, "maintenance_subscription", None)
            contact.subscribed = bool(sub and sub.subscribed)
    regions = sorted(
        {
            Region(REGION_OF_DATA_CENTRE[DataCentre(dc)]).label
            for dc in Tenant.objects.filter(organisation_id=user.organisation_id).values_list(
                "data_centre", flat=True
            )
        }
    )
    return render(
        request,
        "availability/notices.html",
        {
            "subscribed": bool(subscription and subscription.subscribed),
            "contacts": contacts,
            "regions": regions,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- statements --------------------------------------------------------------------------------


def statement_index(request: HttpRequest):
    _require(permissions.can_preview_statements(request.user), "Statements are for managers.")
    form = forms.StatementPickForm(request.GET or None)
    if form.is_bound and form.is_valid():
        month = form.cleaned_data["month"]
        return redirect(
            "availability:statement_preview",
            organisation_id=form.cleaned_data["organisation"].pk,
            year=month.year,
            month=month.month,
        )
    sent = SlaStatement.objects.select_related("organisation")[:25]
    return render(
        request,
        "availability/statement_index.html",
        {"form": form, "sent": sent},
        status=400 if form.is_bound else 200,
    )


def statement_preview(request: HttpRequest, organisation_id: int, year: int, month: int):
    """Any organisation's monthly statement as it is (or would be) emailed."""
    organisation = object_for_user(
        Organisation.objects.select_related("sla_policy"),
        request.user,
        organisation_id,
        organisation_path="",
    )
    _require(permissions.can_preview_statements(request.user), "Statements are for managers.")
    _valid_month(year, month)
    now = timezone.now()
    statement = statement_for(organisation, year=year, month=month, now=now)
    recipients = statement_recipients(organisation)
    message = statement_message(statement, recipients or ["(no main contact)"])
    sent = SlaStatement.objects.filter(organisation=organisation, month=statement.first_day).first()
    return render(
        request,
        "availability/statement_preview.html",
        {
            "statement": statement,
            "organisation": organisation,
            "recipients": recipients,
            "message": message,
            "sent": sent,
            "previous": _shift(year, month, -1).split("-"),
            "following": _shift(year, month, 1).split("-"),
            "percent": percent,
        },
    )

"""Report pages: SLA compliance for support managers (summary, drill-down, breaches, trend) and
a customer's own summary. Each page validates its parameters with ``ReportForm``, reads through
``compliance`` and ``selectors``, and offers its tables as CSV with exactly the page's figures."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from lib.charts import Series, bar_chart, line_chart
from lib.pagination import BoundedPaginator
from sla import services as sla
from sla.hours import business_hours_for
from tenants.models import Organisation, SupportLevel, Tenant, User
from tickets.models import TicketTarget

from . import periods, selectors
from .compliance import DIMENSIONS, Scope, by_dimension, compliance
from .forms import ReportForm
from .models import ComplianceGoal
from .tables import BreachTable, ComplianceTable, DimensionTable, percent
from .trend import TrendTable, trend_rows
from .wording import promise_kept

ROWS_PER_PAGE = 50
TREND_MONTHS = 12
DIMENSION_TITLES = {
    "organisation": ("Customer", "(none)"),
    "tenant": ("Tenant", "(none)"),
    "level": ("Level", "(no level)"),
    "engineer": ("Engineer", "(unassigned)"),
}


def _require_manager(user) -> None:
    if not (user.is_support_manager or user.is_superuser):
        raise PermissionDenied("The SLA reports are for support managers.")


def _csv(request: HttpRequest, table, name: str) -> HttpResponse | None:
    if request.GET.get("format") != "csv":
        return None
    return TableExport("csv", table).response(f"{name}.csv")


def _paginate(request: HttpRequest, table, per_page: int) -> None:
    """Pages of ``per_page`` rows on the page; every row in the CSV."""
    exporting = request.GET.get("format") == "csv"
    RequestConfig(
        request,
        paginate=False
        if exporting
        else {"per_page": per_page, "paginator_class": BoundedPaginator},
    ).configure(table)


def _query(request: HttpRequest, **changes) -> str:
    """The current query string with ``changes`` (``None`` removes a parameter)."""
    params = request.GET.copy()
    for key in ("format", "page", "sort"):
        params.pop(key, None)
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    return params.urlencode()


def _period_query(request: HttpRequest, period: periods.Period) -> str:
    if period.kind == periods.Kind.CUSTOM:
        return _query(
            request, period=None, start=period.first.isoformat(), end=period.last.isoformat()
        )
    return _query(request, period=period.slug, start=None, end=None)


def _neighbours(request: HttpRequest, period: periods.Period) -> dict:
    links = {}
    for name, step in (("previous", period.previous), ("next", period.next)):
        try:
            neighbour = step()
        except ValueError:
            continue
        links[name] = {"label": neighbour.label, "query": _period_query(request, neighbour)}
    return links


def _form(request: HttpRequest) -> tuple[ReportForm, dict]:
    tz = sla.vendor_time_zone()
    now = timezone.now()
    form = ReportForm(request.GET, today=now.astimezone(tz).date())
    return form, {"tz": tz, "now": now}


def _scope_names(scope: Scope) -> list[str]:
    """The drill-down the page is narrowed to, in words."""
    words = []
    if scope.organisation_id:
        words.append(str(Organisation.objects.filter(pk=scope.organisation_id).first()))
    if scope.tenant_id:
        words.append(f"tenant {Tenant.objects.filter(pk=scope.tenant_id).first()}")
    if scope.level:
        words.append(f"held at {scope.level}")
    if scope.engineer_id:
        words.append(f"held by {User.objects.filter(pk=scope.engineer_id).first()}")
    if scope.priority:
        words.append(scope.priority)
    if scope.kind:
        words.append(TicketTarget.Kind(scope.kind).label.lower())
    return words


@require_safe
def sla_compliance(request: HttpRequest) -> HttpResponse:
    """Compliance per priority and target for a period (default: the last full month)."""
    _require_manager(request.user)
    form, clock = _form(request)
    if not form.is_valid():
        return render(request, "reports/sla.html", {"form": form}, status=400)
    period, scope = form.chosen, form.scope
    start, end = period.bounds(clock["tz"])
    totals = compliance(start=start, end=end, now=clock["now"], scope=scope)
    breaches_url = reverse("reports:breaches") + "?" + _query(request)
    table = ComplianceTable(totals.figures, breaches_url=breaches_url)
    if response := _csv(request, table, f"sla-compliance-{period.slug}"):
        return response
    context = {
        "form": form,
        "period": period,
        "totals": totals,
        "table": table,
        "scope_words": _scope_names(scope),
        "neighbours": _neighbours(request, period),
        "dimensions": [
            {
                "name": name,
                "title": DIMENSION_TITLES[name][0],
                "url": reverse("reports:by", args=[name]) + "?" + _query(request),
            }
            for name in DIMENSIONS
        ],
        "query": _query(request),
        "csv_query": _query(request, format="csv"),
        "tz": clock["tz"],
    }
    return render(request, "reports/sla.html", context)


@require_safe
def sla_by(request: HttpRequest, dimension: str) -> HttpResponse:
    """The period's compliance per customer, tenant, level or engineer, worst first."""
    _require_manager(request.user)
    if dimension not in DIMENSIONS:
        raise Http404("No such breakdown.")
    form, clock = _form(request)
    if not form.is_valid():
        return render(request, "reports/sla_by.html", {"form": form}, status=400)
    period, scope = form.chosen, form.scope
    start, end = period.bounds(clock["tz"])
    lines = by_dimension(dimension, start=start, end=end, now=clock["now"], scope=scope)
    ids = [line.value for line in lines if line.value not in (None, "")]
    names: dict = {}
    if dimension == "organisation":
        names = Organisation.objects.in_bulk(ids)
    elif dimension == "tenant":
        names = Tenant.objects.in_bulk(ids)
    elif dimension == "engineer":
        names = {pk: user.full_name for pk, user in User.objects.in_bulk(ids).items()}
    elif dimension == "level":
        names = dict(SupportLevel.choices)
    summary = reverse("reports:sla")
    title, nobody = DIMENSION_TITLES[dimension]
    table = DimensionTable(
        lines,
        names=names,
        title=title,
        nobody=nobody,
        link=lambda value: f"{summary}?{_query(request, **{dimension: value})}",
    )
    _paginate(request, table, ROWS_PER_PAGE)
    if response := _csv(request, table, f"sla-by-{dimension}-{period.slug}"):
        return response
    return render(
        request,
        "reports/sla_by.html",
        {
            "form": form,
            "period": period,
            "table": table,
            "title": title,
            "dimension": dimension,
            "scope_words": _scope_names(scope),
            "back": f"{summary}?{_query(request)}",
            "csv_query": _query(request, format="csv"),
        },
    )


@require_safe
def breaches(request: HttpRequest) -> HttpResponse:
    """Every missed target of the period: filterable, sortable, paginated, CSV."""
    _require_manager(request.user)
    form, clock = _form(request)
    if not form.is_valid():
        return render(request, "reports/breaches.html", {"form": form}, status=400)
    period, scope = form.chosen, form.scope
    start, end = period.bounds(clock["tz"])
    rows = selectors.breaches(start=start, end=end, now=clock["now"], scope=scope)
    table = BreachTable(rows, now=clock["now"], lateness=selectors.lateness)
    _paginate(request, table, ROWS_PER_PAGE)
    if response := _csv(request, table, f"sla-breaches-{period.slug}"):
        return response
    return render(
        request,
        "reports/breaches.html",
        {
            "form": form,
            "period": period,
            "table": table,
            "scope_words": _scope_names(scope),
            "back": reverse("reports:sla") + "?" + _query(request),
            "csv_query": _query(request, format="csv"),
        },
    )


@require_safe
def trend(request: HttpRequest) -> HttpResponse:
    """Compliance per month and priority, and tickets filed per month, for the last 12 months."""
    _require_manager(request.user)
    form, clock = _form(request)
    if not form.is_valid():
        return render(request, "reports/trend.html", {"form": form}, status=400)
    scope = form.scope
    months = periods.months_back(clock["now"].astimezone(clock["tz"]).date(), TREND_MONTHS)
    context = {"form": form, "scope_words": _scope_names(scope), **_trend(months, clock, scope)}
    if request.GET.get("format") == "csv":
        return TableExport("csv", context["table"]).response("sla-trend.csv")
    context["csv_query"] = _query(request, format="csv")
    return render(request, "reports/trend.html", context)


def _trend(months: list[periods.Period], clock: dict, scope: Scope) -> dict:
    lines = selectors.monthly_compliance(
        months=months, tz=clock["tz"], now=clock["now"], scope=scope
    )
    volume = selectors.monthly_volume(months=months, tz=clock["tz"], scope=scope)
    rows, priorities = trend_rows(months, lines, volume, clock["tz"])
    labels = [f"{m.first:%b %y}" for m in months]
    goal = ComplianceGoal.lookup()("initial_response", "")
    series = [
        Series(
            priority or "Service requests",
            [row["compliance"].get(priority) for row in rows],
            css=f"series-{index + 1}",
        )
        for index, priority in enumerate(priorities)
    ]
    return {
        "rows": rows,
        "priorities": priorities,
        "table": TrendTable(rows, priorities=priorities),
        "compliance_chart": line_chart(
            labels,
            series,
            title="Compliance per month and priority",
            reference=(float(goal), f"Goal {goal} %"),
        ),
        "volume_chart": bar_chart(
            labels, [row["filed"] for row in rows], title="Tickets filed per month"
        ),
        "first": months[0],
        "last": months[-1],
    }


@require_safe
def customer_summary(request: HttpRequest) -> HttpResponse:
    """A customer's own compliance for the last 12 months, in words, and their open tickets'
    next deadlines. Only their organisation's figures, whatever the query string says."""
    user = request.user
    if not user.is_customer:
        raise PermissionDenied(
            "This summary is for customer contacts; support uses the SLA reports."
        )
    tz = sla.vendor_time_zone()
    now = timezone.now()
    months = periods.months_back(now.astimezone(tz).date(), TREND_MONTHS)
    start, end = months[0].bounds(tz)[0], months[-1].bounds(tz)[1]
    organisation = user.organisation
    scope = Scope(organisation_id=organisation.pk)
    totals = compliance(start=start, end=end, now=now, scope=scope)
    policy = organisation.sla_policy
    statements = [promise_kept(figure, policy) for figure in totals.figures if figure.decided]
    open_tickets = list(selectors.open_deadlines(organisation.pk))
    upcoming = selectors.next_targets([ticket.pk for ticket in open_tickets])
    return render(
        request,
        "reports/customer.html",
        {
            "organisation": organisation,
            "first": months[0],
            "last": months[-1],
            "statements": statements,
            "totals": totals,
            "overall": percent(totals.compliance),
            "open_tickets": [(ticket, upcoming.get(ticket.pk)) for ticket in open_tickets],
            "now": now,
            "business_hours": business_hours_for(
                sla.calendar_for(policy.calendar_id),
                timezone.get_current_timezone(),
                week_of=timezone.localdate(now),
            ),
        },
    )

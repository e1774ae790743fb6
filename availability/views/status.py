"""The status page (``/status/``): current state, announced maintenance and the last 90 days,
for a customer's tenants or every region for support staff."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Min
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from sla import availability as arithmetic
from sla.availability import DayState, OutageSpan, Span
from tenants.access import scope_for_user
from tenants.models import REGION_OF_DATA_CENTRE, DataCentre, Region, Tenant, User

from .. import charts, permissions, selectors
from ..display import weekday_name, window_time
from ..models import Outage
from .common import require

STRIP_DAYS = 90
UPCOMING = timedelta(days=35)


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


@require_safe
def status(request: HttpRequest):
    """Current state, announced maintenance and the last 90 days: a customer's tenants, or
    every region for support staff. It reads the database only (no queue, no worker), in a
    handful of queries, so that it answers while things are on fire."""
    user = request.user
    now = timezone.now()
    if user.is_customer:
        context = _customer_status(user, now)
    else:
        require(permissions.can_view_all(user), "The status page is for customers and support.")
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

"""Maintenance window pages: the list, opening a weekly occurrence, marking, moving, cancelling
and scheduling quarterly windows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from django_tables2 import RequestConfig

from lib.forms import add_service_error
from lib.pagination import BoundedPaginator
from sla import availability as arithmetic
from sla.availability import Span
from tenants.models import Region

from .. import forms, permissions, selectors, services
from ..display import window_time
from ..filters import WindowListForm
from ..models import MaintenanceNotice
from ..tables import WindowTable
from .common import PAGE_SIZE, require

LIST_WEEKS = 8


@require_safe
def maintenance_list(request: HttpRequest):
    """Maintenance windows of every region: stored ones and the weekly recurrence."""
    user = request.user
    require(permissions.can_view_all(user), "The maintenance list is for support staff.")
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
    RequestConfig(
        request, paginate={"per_page": PAGE_SIZE, "paginator_class": BoundedPaginator}
    ).configure(table)
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
    require(permissions.can_manage_windows(request.user), "Only support staff change windows.")
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
    require(
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
            initial=_stored_instants(window)
        )
        context["cancel_form"] = forms_.get("cancel_form") or forms.WindowCancelForm()
    return context


@require_safe
def window_detail(request: HttpRequest, window_id: int):
    window = selectors.window_for_user(request.user, window_id)
    return render(request, "availability/window_detail.html", _window_context(request, window))


def _stored_instants(window) -> dict:
    """The window's times as the move form shows them; also its ``initial`` on POST, so that
    times sent back unchanged keep their stored value (``KeepsUnchangedInstants``)."""
    return {
        "starts_at": timezone.localtime(window.starts_at),
        "ends_at": timezone.localtime(window.ends_at),
    }


def _window_action(request, window_id, form_class, form_name, run, done, initial=None):
    window = selectors.window_for_user(request.user, window_id)
    require(permissions.can_manage_windows(request.user), "Only support staff change windows.")
    form = form_class(request.POST, initial=initial(window) if initial else None)
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
        initial=_stored_instants,
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

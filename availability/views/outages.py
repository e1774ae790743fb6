"""Outage pages: record (from a P1/P2 ticket, for tenants or a data centre), read, correct, end."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from lib.forms import add_service_error
from lib.pagination import BoundedPaginator
from sla.availability import PARTIAL_OUTAGES_EXPLAINED
from tenants.access import scope_for_user
from tickets.selectors import ticket_for_user

from .. import forms, permissions, selectors, services
from ..filters import OutageFilter
from ..models import Outage
from ..tables import OutageTable
from .common import PAGE_SIZE, require


class OutageListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """Every outage, newest first, for support staff."""

    raise_exception = True
    table_class = OutageTable
    filterset_class = OutageFilter
    template_name = "availability/outage_list.html"
    table_pagination = {"per_page": PAGE_SIZE, "paginator_class": BoundedPaginator}

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
    require(permissions.can_record_outages(user), "Only support staff record outages.")
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


def _stored_instants(outage: Outage) -> dict[str, Any]:
    """The outage's times as the edit form shows them; also its ``initial`` on POST, so that
    times sent back unchanged keep their stored value (``KeepsUnchangedInstants``)."""
    return {
        "starts_at": timezone.localtime(outage.starts_at),
        "ends_at": timezone.localtime(outage.ends_at) if outage.ends_at else None,
    }


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
                **_stored_instants(outage),
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
        require(permissions.can_record_outages(request.user), "Only support staff change outages.")
        form = forms.OutageEditForm(request.POST, initial=_stored_instants(outage))
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
    require(permissions.can_record_outages(request.user), "Only support staff end outages.")
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

"""Maintenance notice subscriptions and the monthly SLA statement preview."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from tenants.access import object_for_user
from tenants.models import REGION_OF_DATA_CENTRE, DataCentre, Organisation, Region, Tenant, User

from .. import forms, permissions, services
from ..display import percent
from ..models import MaintenanceSubscription, SlaStatement
from ..statements import statement_for, statement_message, statement_recipients
from .common import require, shift, valid_month


def notices(request: HttpRequest):
    """A contact switches their own maintenance notices on or off; customer admins also see who
    in their organisation subscribed."""
    user = request.user
    require(permissions.can_subscribe(user), "Maintenance notices are for customer contacts.")
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


# --- statements ---------------------------------------------------------------------------------


@require_safe
def statement_index(request: HttpRequest):
    require(permissions.can_preview_statements(request.user), "Statements are for managers.")
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


@require_safe
def statement_preview(request: HttpRequest, organisation_id: int, year: int, month: int):
    """Any organisation's monthly statement as it is (or would be) emailed."""
    organisation = object_for_user(
        Organisation.objects.select_related("sla_policy"),
        request.user,
        organisation_id,
        organisation_path="",
    )
    require(permissions.can_preview_statements(request.user), "Statements are for managers.")
    valid_month(year, month)
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
            "previous": shift(year, month, -1).split("-"),
            "following": shift(year, month, 1).split("-"),
            "percent": percent,
        },
    )

"""The parameters of a report page: the period and what it is narrowed to, validated with a
message a person understands."""

from __future__ import annotations

from datetime import date

from django import forms

from lib.forms import PlausibleDateField
from sla.models import Priority
from tenants.models import Organisation, SupportLevel, Tenant, User
from tenants.roles import engineers
from tickets.models import TicketTarget

from . import periods
from .compliance import Scope


def period_choices(today: date) -> list[tuple[str, list[tuple[str, str]]]]:
    """Recent months, quarters and years for the period menu, newest first."""
    months = periods.months_back(today, 24)[::-1]
    quarters, seen = [], set()
    for month in months:
        quarter = periods.quarter(month.first.year, (month.first.month - 1) // 3 + 1)
        if quarter.slug not in seen:
            seen.add(quarter.slug)
            quarters.append(quarter)
    years = [periods.year(today.year - n) for n in range(3)]
    return [
        ("Months", [(p.slug, p.label) for p in months]),
        ("Quarters", [(p.slug, p.label) for p in quarters[:8]]),
        ("Years", [(p.slug, p.label) for p in years]),
    ]


class ReportForm(forms.Form):
    # Any period slug is accepted (links name older months); the menu offers the recent ones.
    period = forms.CharField(required=False, max_length=40, label="Period", widget=forms.Select)
    start = PlausibleDateField(required=False, label="Or from")
    end = PlausibleDateField(required=False, label="to")
    organisation = forms.ModelChoiceField(
        Organisation.objects.none(), required=False, empty_label="Every customer"
    )
    tenant = forms.ModelChoiceField(
        Tenant.objects.none(), required=False, empty_label="Every tenant"
    )
    level = forms.ChoiceField(
        choices=[("", "Every level"), *SupportLevel.choices],
        required=False,
        help_text="The level that held the ticket when the target was met or missed.",
    )
    engineer = forms.ModelChoiceField(
        User.objects.none(),
        required=False,
        empty_label="Every engineer",
        help_text="The assignee when the target was met or missed.",
    )
    priority = forms.ChoiceField(
        choices=[("", "Every priority"), *Priority.choices], required=False
    )
    kind = forms.ChoiceField(
        choices=[("", "Every target"), *TicketTarget.Kind.choices], required=False, label="Target"
    )

    def __init__(self, data=None, *, today: date):
        super().__init__(data)
        self.today = today
        self.fields["period"].widget.choices = [("", "Last full month"), *period_choices(today)]
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        organisation_id = self._raw_id("organisation")
        tenants = Tenant.objects.order_by("name")
        # The tenant menu lists one customer's tenants; a tenant id from a link still validates.
        self.fields["tenant"].queryset = (
            tenants.filter(organisation_id=organisation_id) if organisation_id else tenants
        )
        self.fields["engineer"].queryset = engineers().order_by("full_name")
        self.show_tenants = bool(organisation_id)

    def _raw_id(self, name: str) -> int | None:
        value = (self.data or {}).get(name) if self.data is not None else None
        try:
            number = int(value)
        except (TypeError, ValueError):
            return None
        return number if 0 < number < 2**63 else None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if (start is None) != (end is None) and not self.errors:
            raise forms.ValidationError("Give both dates of a custom period, or neither.")
        try:
            if start is not None and end is not None:
                cleaned["chosen"] = periods.custom(start, end)
            elif cleaned.get("period"):
                cleaned["chosen"] = periods.parse(cleaned["period"])
            else:
                cleaned["chosen"] = periods.last_full_month(self.today)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        tenant, organisation = cleaned.get("tenant"), cleaned.get("organisation")
        if (
            tenant is not None
            and organisation is not None
            and tenant.organisation_id != organisation.pk
        ):
            self.add_error("tenant", "That tenant belongs to another customer.")
        return cleaned

    @property
    def chosen(self) -> periods.Period:
        return self.cleaned_data["chosen"]

    @property
    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(
            organisation_id=data["organisation"].pk if data.get("organisation") else None,
            tenant_id=data["tenant"].pk if data.get("tenant") else None,
            level=data.get("level") or "",
            engineer_id=data["engineer"].pk if data.get("engineer") else None,
            priority=data.get("priority") or "",
            kind=data.get("kind") or "",
        )

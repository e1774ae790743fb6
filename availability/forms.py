"""Forms collect one request's input; the rules that decide (times, links, limits) live in
``services`` and come back as errors on these forms (``lib.forms.add_service_error``)."""

import re
from datetime import date

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy

from lib.forms import (
    KeepsUnchangedInstants,
    MonthInput,
    PlausibleDateField,
    PlausibleDateTimeField,
)
from tenants.models import DataCentre, Organisation, Region, Tenant
from tickets.models import Ticket

from .models import Outage

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
MAX_LINKED_TICKETS = 20
MAX_ID = 2**63 - 1  # the largest primary key a database column holds


def plausible_id(value) -> bool:
    """Whether ``value`` can be a primary key at all. Django's model choice fields pass any
    number to the database, where one beyond 64 bits is an overflow (a 500), not a miss."""
    try:
        return 0 < int(str(value)) <= MAX_ID
    except (TypeError, ValueError):
        return False


class IdChoiceField(forms.ModelChoiceField):
    """A model choice whose submitted id is checked for range before the database sees it."""

    def to_python(self, value):
        if value not in self.empty_values and not plausible_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


def _in_your_zone(help_text: str) -> str:
    # Read when the form is drawn: the zone the field is read in is the person's own.
    return (help_text + " " if help_text else "") + (
        f"Time in {timezone.get_current_timezone_name()}."
    )


def local_datetime_field(label: str, *, required: bool = True, help_text: str = ""):
    return PlausibleDateTimeField(
        label=label,
        required=required,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=lazy(_in_your_zone, str)(help_text),
    )


class TicketNumbersField(forms.CharField):
    """Ticket numbers as people type them: ``#12, 15 19``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("label", "Linked incidents")
        kwargs.setdefault(
            "help_text",
            "Ticket numbers of the incidents behind this outage, e.g. #12, #15. Each is linked "
            "to its own tenant's outage and the outage shows on its timeline.",
        )
        super().__init__(**kwargs)

    def clean(self, value) -> list[Ticket]:
        text = super().clean(value) or ""
        tokens = [t for t in re.split(r"[\s,;]+", text) if t]
        numbers = []
        for token in tokens:
            match = re.fullmatch(r"#?(\d{1,12})", token)
            if not match:
                raise forms.ValidationError(
                    f"“{token[:20]}” is not a ticket number; write numbers such as #12.",
                    code="bad_ticket_number",
                )
            numbers.append(int(match.group(1)))
        numbers = list(dict.fromkeys(numbers))
        if len(numbers) > MAX_LINKED_TICKETS:
            raise forms.ValidationError(
                f"Link at most {MAX_LINKED_TICKETS} tickets.", code="too_many_tickets"
            )
        tickets = {t.pk: t for t in Ticket.objects.select_related("tenant").filter(pk__in=numbers)}
        missing = [f"#{n}" for n in numbers if n not in tickets]
        if missing:
            raise forms.ValidationError(
                f"There is no ticket {', '.join(missing)}.", code="unknown_ticket"
            )
        return [tickets[n] for n in numbers]


def ticket_numbers(tickets) -> str:
    return ", ".join(f"#{t.pk}" for t in tickets)


class TenantChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Tenant) -> str:
        return f"{obj.name} ({obj.organisation.name}, {obj.get_data_centre_display()})"

    def _check_values(self, value):
        for item in value:
            if not plausible_id(item):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(item)[:20]},
                )
        return super()._check_values(value)


class OutageForm(forms.Form):
    """Record an outage for one tenant, several, or every tenant of a data centre."""

    tenants = TenantChoices(
        queryset=Tenant.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Hold Ctrl (or ⌘) to choose several.",
    )
    data_centre = forms.ChoiceField(
        label="Or every tenant in a data centre",
        choices=[("", "—"), *DataCentre.choices],
        required=False,
        help_text="For a data-centre incident: every provisioned tenant there is added.",
    )
    scope = forms.ChoiceField(
        choices=Outage.Scope.choices,
        widget=forms.RadioSelect,
        initial=Outage.Scope.FULL,
        help_text="Only full outages lower availability; a partial outage is shown but not "
        "counted.",
    )
    starts_at = local_datetime_field("Started")
    ends_at = local_datetime_field(
        "Ended", required=False, help_text="Leave empty while the outage goes on."
    )
    cause = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What happened, as the customer will read it.",
    )
    tickets = TicketNumbersField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenants"].queryset = Tenant.objects.select_related("organisation").order_by(
            "name"
        )

    def clean(self):
        data = super().clean()
        chosen = list(data.get("tenants") or [])
        centre = data.get("data_centre")
        if centre:
            today = timezone.localdate()
            chosen += list(
                Tenant.objects.filter(data_centre=centre, provisioned_at__isnull=False).filter(
                    Q(organisation__terminated_on__isnull=True)
                    | Q(organisation__terminated_on__gte=today)
                )
            )
        if not chosen and "tenants" not in self.errors:
            self.add_error("tenants", "Choose a tenant, or a data centre for all its tenants.")
        data["tenant_list"] = list({t.pk: t for t in chosen}.values())
        return data


class OutageEditForm(KeepsUnchangedInstants, forms.Form):
    scope = forms.ChoiceField(choices=Outage.Scope.choices, widget=forms.RadioSelect)
    starts_at = local_datetime_field("Started")
    ends_at = local_datetime_field(
        "Ended", required=False, help_text="Leave empty while the outage goes on."
    )
    cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    tickets = TicketNumbersField()
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class OutageEndForm(forms.Form):
    ends_at = local_datetime_field("Ended at", required=False, help_text="Empty means now.")
    whole_incident = forms.BooleanField(
        required=False, label="End every ongoing outage recorded with this one"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class WindowUsedForm(forms.Form):
    used = forms.BooleanField(
        required=False,
        label="This window will be used",
        help_text="Used windows are announced to subscribed contacts: on the Tuesday before, "
        "at the start and on completion.",
    )
    summary = forms.CharField(
        required=False,
        max_length=200,
        label="What it is for",
        help_text="Customers read this in the notices, e.g. “Security patches”.",
    )


class WindowMoveForm(KeepsUnchangedInstants, forms.Form):
    starts_at = local_datetime_field("New start")
    ends_at = local_datetime_field("New end")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class WindowCancelForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class WindowOpenForm(forms.Form):
    """Which weekly occurrence to open (from the maintenance list)."""

    region = forms.ChoiceField(choices=Region.choices)
    planned_starts_at = PlausibleDateTimeField(
        input_formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"], widget=forms.HiddenInput
    )


class QuarterlyWindowForm(forms.Form):
    region = forms.ChoiceField(choices=Region.choices)
    starts_on = PlausibleDateField(
        label="Starts on (UTC date)",
        help_text="The day the window begins, in UTC: a Friday for Europe, Africa and APAC "
        "(21:00 / 14:00 UTC), a Saturday for the Americas (03:00 UTC). It lasts 53 hours.",
    )
    summary = forms.CharField(
        required=False, max_length=200, label="What it is for", initial="Version upgrade"
    )
    used = forms.BooleanField(
        required=False, initial=True, label="Announce it to subscribed contacts"
    )

    def clean_starts_on(self):
        value = self.cleaned_data["starts_on"]
        if not date(2000, 1, 1) <= value <= date(2100, 12, 31):
            raise forms.ValidationError("Choose a date in this century.", code="out_of_range")
        return value


class SubscriptionForm(forms.Form):
    subscribed = forms.TypedChoiceField(
        choices=[("1", "On"), ("0", "Off")], coerce=lambda v: v == "1", empty_value=None
    )


class StatementPickForm(forms.Form):
    organisation = IdChoiceField(queryset=Organisation.objects.order_by("name"))
    month = PlausibleDateField(
        input_formats=["%Y-%m"],
        widget=MonthInput,
        help_text="The month the statement covers.",
    )

"""Filters of the availability pages. Each page's query string is read only through these, so a
bad value is a form error on the page, never a 500."""

from datetime import date

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from lib.forms import DateInput, MonthInput
from tenants.models import Organisation, Region, Tenant

from .forms import plausible_id
from .models import MaintenanceKind, Outage
from .selectors import data_centres_of

MONTH_WIDGET = MonthInput()
GROUPINGS = [("tenant", "Tenant"), ("organisation", "Organisation"), ("region", "Region")]


ORGANISATIONS_CACHE_SECONDS = 300


def organisation_choices() -> list[tuple[int, str]]:
    """Every organisation as (id, name), shared for ``ORGANISATIONS_CACHE_SECONDS``: a new
    customer appears in the filter within five minutes."""
    return cache.get_or_set(
        "availability:organisation-choices",
        lambda: list(Organisation.objects.order_by("name").values_list("pk", "name")),
        ORGANISATIONS_CACHE_SECONDS,
    )


class PlainSelect(forms.Select):
    """A select drawn in Python: the template machinery costs a few milliseconds per option,
    and the organisation filter has one per customer."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = (
            "" if value is None else str(value[0] if isinstance(value, list | tuple) else value)
        )
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) == chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)


def _keep(queryset, name, value):
    """For parameters the view reads from the form (month, grouping): they choose what to
    compute, not which rows."""
    return queryset


class MonthField(forms.DateField):
    def clean(self, value):
        value = super().clean(value)
        if value is not None and not date(2000, 1, 1) <= value <= date(2100, 12, 1):
            raise forms.ValidationError("Choose a month in this century.", code="out_of_range")
        return value


class MonthFilter(django_filters.DateFilter):
    field_class = MonthField


class AvailabilityFilter(django_filters.FilterSet):
    """Which tenants the month page shows, and for which month."""

    month = MonthFilter(
        method=_keep,
        input_formats=["%Y-%m"],
        widget=MONTH_WIDGET,
        label="Month",
        help_text="YYYY-MM; this month so far when empty.",
    )
    by = django_filters.ChoiceFilter(
        method=_keep, choices=GROUPINGS, empty_label="Tenant", label="Show per"
    )
    # Choices of ids drawn from a short-lived cache, not a queryset: the list of every customer
    # costs a query and a model instance each on every page otherwise.
    organisation = django_filters.ChoiceFilter(
        choices=organisation_choices,
        method="of_organisation",
        empty_label="Every organisation",
        label="Organisation",
        widget=PlainSelect,
    )
    region = django_filters.ChoiceFilter(
        choices=Region.choices, method="in_region", empty_label="Every region", label="Region"
    )
    kind = django_filters.ChoiceFilter(
        choices=Tenant.Kind.choices, empty_label="Production and test"
    )
    below = django_filters.BooleanFilter(
        method=_keep,
        label="Below target only",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Tenant
        fields = ["month", "by", "organisation", "region", "kind", "below"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_customer:
            # A customer's page is their own organisation's tenants, one per row.
            for name in ("organisation", "by"):
                del self.filters[name]

    def in_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(data_centre__in=data_centres_of(value))

    def of_organisation(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(organisation_id=int(value))


class IdField(django_filters.fields.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not plausible_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class IdFilter(django_filters.ModelChoiceFilter):
    """A model choice filter that refuses ids no database column can hold (see
    ``forms.plausible_id``)."""

    field_class = IdField


class OutageFilter(django_filters.FilterSet):
    tenant = django_filters.CharFilter(
        field_name="tenant__name", lookup_expr="icontains", label="Tenant", max_length=60
    )
    organisation = IdFilter(
        field_name="tenant__organisation",
        queryset=Organisation.objects.order_by("name"),
        empty_label="Every organisation",
    )
    region = django_filters.ChoiceFilter(
        choices=Region.choices, method="in_region", empty_label="Every region", label="Region"
    )
    scope = django_filters.ChoiceFilter(
        choices=Outage.Scope.choices, empty_label="Full and partial"
    )
    ongoing = django_filters.BooleanFilter(
        method="only_ongoing", label="Ongoing only", widget=django_filters.widgets.BooleanWidget()
    )
    since = django_filters.DateFilter(
        field_name="starts_at",
        lookup_expr="date__gte",
        label="Started on or after",
        widget=DateInput,
    )

    class Meta:
        model = Outage
        fields = ["tenant", "organisation", "region", "scope", "ongoing", "since"]

    def in_region(self, queryset, name, value):
        return queryset.filter(tenant__data_centre__in=data_centres_of(value))

    def only_ongoing(self, queryset, name, value):
        return queryset.filter(ends_at__isnull=True) if value else queryset


class WindowListForm(forms.Form):
    """Which windows the maintenance list shows. Not a FilterSet: the list is the stored rows
    laid over the weekly recurrence, not a queryset."""

    month = MonthField(
        required=False,
        input_formats=["%Y-%m"],
        widget=MONTH_WIDGET,
        help_text="YYYY-MM; the coming eight weeks when empty.",
    )
    region = forms.ChoiceField(choices=[("", "Every region"), *Region.choices], required=False)
    kind = forms.ChoiceField(
        choices=[("", "Weekly and quarterly"), *MaintenanceKind.choices], required=False
    )
    used = forms.BooleanField(required=False, label="Used only")


def cleaned(filterset) -> dict:
    """What a valid filter form chose; nothing for an invalid one (its errors show)."""
    return filterset.form.cleaned_data if filterset.is_bound and filterset.is_valid() else {}


def month_of(filterset, default: tuple[int, int]) -> tuple[int, int]:
    """The month a valid filter form chose, else ``default``."""
    value = cleaned(filterset).get("month")
    return (value.year, value.month) if value else default

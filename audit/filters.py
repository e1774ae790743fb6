import django_filters
from django.db.models import Q

from lib.forms import DateInput, PlausibleDateField

from .models import AuditAction, AuditEvent


class PlausibleDateFilter(django_filters.DateFilter):
    # Dates outside the supported range are refused on the form, never sent to the database.
    field_class = PlausibleDateField


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, empty_label="Any event")
    who = django_filters.CharFilter(method="filter_who", label="Who or on whom", max_length=254)
    since = PlausibleDateFilter(
        field_name="at", lookup_expr="date__gte", label="From", widget=DateInput
    )
    until = PlausibleDateFilter(
        field_name="at", lookup_expr="date__lte", label="To", widget=DateInput
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "who", "since", "until"]

    def filter_who(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(actor_label__icontains=value) | Q(target_label__icontains=value))

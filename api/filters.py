"""Query filters of the API's ticket list. The queue's are the page's own
(``tickets.queue.filters.QueueFilter``)."""

import django_filters
from django import forms

from lib.forms import PlausibleDateTimeField
from sla.models import Priority
from tickets.models import Ticket


class PlausibleDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 instant within the portal's plausible years (``lib.forms``)."""

    field_class = type(
        "PlausibleIsoDateTimeField",
        (django_filters.fields.IsoDateTimeField, PlausibleDateTimeField),
        {},
    )


class TicketFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Ticket.Status.choices)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    kind = django_filters.ChoiceFilter(choices=Ticket.Kind.choices)
    tenant = django_filters.CharFilter(
        field_name="tenant__name", help_text="A tenant's name, e.g. northwind-prod."
    )
    updated_since = PlausibleDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Tickets changed at or after this instant (ISO 8601 with an offset).",
    )

    class Meta:
        model = Ticket
        fields = ["status", "priority", "kind", "tenant", "updated_since"]
        form = forms.Form

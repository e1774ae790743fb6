import django_filters
from django.db.models import Q

from tenants.access import scope_for_user
from tenants.models import Tenant

from .models import Ticket


class OpenOnlyWidget(django_filters.widgets.BooleanWidget):
    """The "open only" choice in words ("Unknown / Yes / No" read as a question nobody asked)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", "Open and finished"), ("true", "Open only")]


class CustomerTicketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=Ticket.Status.choices, empty_label="Any status")
    open = django_filters.BooleanFilter(
        method="only_open", label="Tickets", widget=OpenOnlyWidget()
    )
    tenant = django_filters.ModelChoiceFilter(
        queryset=Tenant.objects.none(), empty_label="Any tenant"
    )
    kind = django_filters.ChoiceFilter(choices=Ticket.Kind.choices, empty_label="Any kind")

    class Meta:
        model = Ticket
        fields = ["q", "status", "tenant", "kind"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["tenant"].queryset = scope_for_user(Tenant.objects.all(), user)

    def search(self, queryset, name, value):
        return queryset.filter(Q(subject__icontains=value) | Q(reference_id__icontains=value))

    def only_open(self, queryset, name, value):
        if value:
            return queryset.filter(status__in=Ticket.OPEN_STATUSES)
        return queryset

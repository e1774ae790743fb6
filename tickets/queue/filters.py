"""Filters of the engineer queue.

Every filter narrows the open tickets the queue starts from (``queue.queue_tickets``), so the
partial indexes on open tickets stay usable under each of them. "Breached" means *overdue now*:
an outstanding SLA deadline of the ticket has passed (``next_due_at < now``). The ticket's
``sla_breached`` flag is history (a target was missed at some time, perhaps met long since);
the SLA reports read it, the queue does not.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from html import escape

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe

from lib.forms import IdField
from sla.models import Priority
from tenants.access import scope_for_user
from tenants.models import Organisation, SupportLevel, Tenant
from tickets.models import Ticket

OPEN_STATUS_CHOICES = [(s.value, s.label) for s in Ticket.OPEN_STATUSES]

ASSIGNEE_ME = "me"
ASSIGNEE_UNASSIGNED = "unassigned"
BREACHED_YES = "yes"
BREACHED_NO = "no"

ORGANISATIONS_CACHE_SECONDS = 300

# "Due within N hours" looks at most two weeks ahead; further than that is planning, not a queue.
MAX_DUE_WITHIN_HOURS = 24 * 14


def option_tags(pairs: Iterable[tuple[object, object]]) -> str:
    """``<option>`` tags for (value, label) pairs, escaped, none selected."""
    return "".join(
        f'<option value="{escape(str(v))}">{escape(str(label))}</option>' for v, label in pairs
    )


class PlainSelect(forms.Select):
    """A select drawn in Python. Django draws every option through a few templates; for the
    queue's filters, and the list of every customer organisation in particular, that cost more
    than the rest of the page."""

    # Ready-made ``option_tags`` that replace ``choices`` when set, so that a long list is
    # neither copied, normalised nor escaped again on each request.
    option_html: str | None = None

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
        options = self.option_html if self.option_html is not None else option_tags(self.choices)
        for selected in chosen:
            tag = f'<option value="{escape(selected)}">'
            options = options.replace(tag, f'<option value="{escape(selected)}" selected>', 1)
        attributes = flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name}))
        return mark_safe(f"<select{attributes}>{options}</select>")


class PlainCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes drawn in Python, for the same reason as ``PlainSelect``."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = set(self.format_value(value))
        base = self.build_attrs(self.attrs, attrs)
        prefix = base.pop("id", f"id_{name}")
        boxes = []
        for index, (key, label) in enumerate(self.choices):
            key = str(key)
            box_id = escape(f"{prefix}_{index}")
            checked = " checked" if key in chosen else ""
            boxes.append(
                f'<div><label for="{box_id}"><input type="checkbox" name="{escape(name)}" '
                f'value="{escape(key)}" id="{box_id}"{checked}> {escape(str(label))}</label></div>'
            )
        return mark_safe(f'<div id="{escape(prefix)}"{flatatt(base)}>{"".join(boxes)}</div>')


def organisation_option_html(user) -> str:
    """The organisation select's ``<option>`` tags: "any", then every organisation ``user``
    sees. Support staff see all of them; the list changes seldom, so it is kept for
    ``ORGANISATIONS_CACHE_SECONDS`` rather than read and drawn on every visit to the queue."""
    organisations = scope_for_user(Organisation.objects.all(), user, organisation_path="")

    def draw() -> str:
        return option_tags([("", "Any organisation"), *organisations.values_list("pk", "name")])

    if not user.is_support_staff:
        return draw()
    return cache.get_or_set("tickets:queue-organisation-options", draw, ORGANISATIONS_CACHE_SECONDS)


class IdFilter(django_filters.Filter):
    field_class = IdField


class QueueFilter(django_filters.FilterSet):
    """Filters for support staff. ``user`` answers "me"; ``now`` is the instant that
    "breached" and "due within" are measured from, the same for every filter of a request."""

    q = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Subject or reference ID"}),
    )
    level = django_filters.ChoiceFilter(
        choices=SupportLevel.choices, empty_label="Any level", widget=PlainSelect
    )
    # distinct=False: the filter never joins a to-many relation, and DISTINCT would keep the
    # database from reading the queue's order straight off the index.
    priority = django_filters.MultipleChoiceFilter(
        choices=Priority.choices, widget=PlainCheckboxes, distinct=False
    )
    status = django_filters.MultipleChoiceFilter(
        choices=OPEN_STATUS_CHOICES, widget=PlainCheckboxes, distinct=False
    )
    kind = django_filters.ChoiceFilter(
        choices=Ticket.Kind.choices, empty_label="Any kind", widget=PlainSelect
    )
    # An organisation id. The select's options come from ``organisation_option_html`` (in
    # ``form``); an id that names no organisation simply matches no ticket.
    organisation = IdFilter(label="Organisation", widget=PlainSelect)
    tenant_kind = django_filters.ChoiceFilter(
        field_name="tenant__kind",
        choices=Tenant.Kind.choices,
        empty_label="Production or test",
        widget=PlainSelect,
        label="Tenant",
    )
    assignee = django_filters.ChoiceFilter(
        method="filter_assignee",
        choices=[(ASSIGNEE_ME, "Me"), (ASSIGNEE_UNASSIGNED, "Unassigned")],
        empty_label="Anyone",
        widget=PlainSelect,
        label="Assignee",
    )
    breached = django_filters.ChoiceFilter(
        method="filter_breached",
        choices=[(BREACHED_YES, "Overdue now"), (BREACHED_NO, "Not overdue")],
        empty_label="Any",
        widget=PlainSelect,
        label="SLA deadline",
    )
    due_within = django_filters.NumberFilter(
        method="filter_due_within",
        label="Due within (hours)",
        min_value=1,
        max_value=MAX_DUE_WITHIN_HOURS,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_DUE_WITHIN_HOURS, "step": 1}),
    )

    class Meta:
        model = Ticket
        fields = [
            "q",
            "level",
            "priority",
            "status",
            "kind",
            "organisation",
            "tenant_kind",
            "assignee",
            "breached",
            "due_within",
        ]

    def __init__(self, *args, user, now: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.now = now

    _form_class: type[forms.Form] | None = None

    def get_form_class(self) -> type[forms.Form]:
        # The fields never depend on the request (the organisation options are set on the form
        # itself), so the class is built once rather than on every request.
        cls = type(self)
        if cls._form_class is None:
            cls._form_class = super().get_form_class()
        return cls._form_class

    @property
    def form(self) -> forms.Form:
        if not hasattr(self, "_form"):
            form = super().form
            form.fields["organisation"].widget.option_html = organisation_option_html(self.user)
        return self._form

    def filter_search(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(subject__icontains=value) | Q(reference_id__icontains=value))

    def filter_assignee(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet:
        if value == ASSIGNEE_ME:
            return queryset.filter(assignee=self.user)
        if value == ASSIGNEE_UNASSIGNED:
            return queryset.filter(assignee__isnull=True)
        return queryset

    def filter_breached(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet:
        if value == BREACHED_YES:
            return queryset.filter(next_due_at__lt=self.now)
        if value == BREACHED_NO:
            return queryset.filter(Q(next_due_at__gte=self.now) | Q(next_due_at__isnull=True))
        return queryset

    def filter_due_within(self, queryset: QuerySet[Ticket], name: str, value) -> QuerySet:
        """Not yet overdue, but due within ``value`` hours: overdue tickets have their own
        filter, and mixing them in would bury the ones that can still be saved."""
        if value is None:
            return queryset
        until = self.now + timedelta(hours=float(value))
        return queryset.filter(next_due_at__gte=self.now, next_due_at__lte=until)

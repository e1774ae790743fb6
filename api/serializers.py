"""What the API reads and answers. Input serializers check shapes only (types, lengths, one
line); every rule is the services' and comes back as their own refusal."""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lib.forms import EARLIEST_DATE, ID_MAX, LATEST_DATE, validate_single_line
from sla.models import Priority
from tenants.models import SupportLevel, Tenant
from tickets.models import Ticket, TicketEvent, TicketTarget
from tickets.permissions import may_see_internal

from .models import ApiKey


def _url(request, name: str, *args) -> str:
    path = reverse(name, args=args)
    return request.build_absolute_uri(path) if request is not None else path


def _is_staff(context) -> bool:
    request = context.get("request")
    return bool(request is not None and may_see_internal(request.user))


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField(source="full_name")


class TenantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Tenant.Kind.choices)
    data_centre = serializers.CharField()


class TicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Ticket.Kind.choices)
    priority = serializers.CharField(help_text="P1–P4 for incidents; empty for service requests.")
    request_size = serializers.CharField()
    status = serializers.ChoiceField(choices=Ticket.Status.choices)
    level = serializers.SerializerMethodField(
        help_text="The ladder level (support staff keys only; null for customers)."
    )
    subject = serializers.CharField()
    tenant = TenantSerializer()
    organisation = serializers.CharField(source="organisation.slug")
    submitter = PersonSerializer()
    assignee = PersonSerializer(allow_null=True)
    product_defect = serializers.BooleanField()
    version = serializers.IntegerField(
        help_text="Send it with every action: a stale one is refused (ticket_changed)."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    next_due_at = serializers.DateTimeField(
        allow_null=True, help_text="The earliest outstanding SLA deadline."
    )
    sla_breached = serializers.BooleanField()
    url = serializers.SerializerMethodField(help_text="The ticket's page.")
    api_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=SupportLevel.choices, allow_null=True))
    def get_level(self, ticket) -> str | None:
        return ticket.level if _is_staff(self.context) else None

    def get_url(self, ticket) -> str:
        return _url(self.context.get("request"), "tickets:detail", ticket.pk)

    def get_api_url(self, ticket) -> str:
        return _url(self.context.get("request"), "api:ticket_detail", ticket.pk)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment) -> str:
        return _url(
            self.context.get("request"),
            "api:ticket_attachment",
            attachment.ticket_id,
            attachment.pk,
        )


class TimelineEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=TicketEvent.Kind.choices)
    label = serializers.CharField(source="get_kind_display")
    at = serializers.DateTimeField()
    actor = PersonSerializer(allow_null=True)
    public = serializers.BooleanField()
    body = serializers.CharField()
    reason = serializers.CharField()
    data = serializers.DictField(
        help_text="Facts of the event (from/to, priority, the API key it came through…)."
    )
    attachments = AttachmentSerializer(many=True)


class TargetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TicketTarget.Kind.choices)
    label = serializers.CharField()
    cycle = serializers.IntegerField()
    priority = serializers.CharField()
    state = serializers.ChoiceField(choices=TicketTarget.State.choices)
    basis = serializers.ChoiceField(choices=TicketTarget.Basis.choices)
    clock = serializers.CharField()
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True, help_text="Empty while paused.")
    met_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)
    paused = serializers.BooleanField(source="is_paused")


class TicketDetailSerializer(TicketSerializer):
    description = serializers.CharField()
    reference_id = serializers.CharField()
    impact = serializers.CharField()
    resolution_type = serializers.CharField()
    agreed_delivery_at = serializers.DateTimeField(allow_null=True)
    timeline = TimelineEventSerializer(many=True, source="api_timeline")
    targets = TargetSerializer(many=True, source="api_targets")
    actions = serializers.ListField(
        child=serializers.CharField(),
        source="api_actions",
        help_text="What this key's person may do now (each is POST …/tickets/{id}/<action>/).",
    )


class QueueRowSerializer(serializers.Serializer):
    """A row of the queue, as the page reads it."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Ticket.Kind.choices)
    priority = serializers.CharField()
    subject = serializers.CharField()
    level = serializers.ChoiceField(choices=SupportLevel.choices)
    status = serializers.ChoiceField(choices=Ticket.Status.choices)
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    next_due_at = serializers.DateTimeField(allow_null=True)
    assignee_id = serializers.IntegerField(allow_null=True)
    assignee = serializers.CharField(source="assignee__full_name", allow_null=True)
    organisation = serializers.CharField(source="organisation__name")
    tenant = serializers.CharField(source="tenant__name")
    tenant_kind = serializers.CharField(source="tenant__kind")
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    def get_url(self, row) -> str:
        return _url(self.context.get("request"), "tickets:detail", row["id"])

    def get_api_url(self, row) -> str:
        return _url(self.context.get("request"), "api:ticket_detail", row["id"])


class MeSerializer(serializers.Serializer):
    key = serializers.CharField(source="prefix")
    name = serializers.CharField()
    scope = serializers.ChoiceField(choices=ApiKey.Scope.choices)
    person = serializers.CharField(source="user.full_name")
    email = serializers.EmailField(source="user.email")
    organisation = serializers.CharField(source="organisation.slug", allow_null=True)
    role = serializers.SerializerMethodField()

    def get_role(self, key) -> str:
        if key.user.is_customer:
            return "customer_admin" if key.user.is_customer_admin else "customer"
        return "support_manager" if key.user.is_support_manager else "support_engineer"


# --- input -------------------------------------------------------------------------------------


class SingleLineField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_single_line)


class PlausibleDateTimeField(serializers.DateTimeField):
    """An instant with an offset, within the portal's plausible years (``lib.forms``)."""

    def to_internal_value(self, value):
        try:
            instant = super().to_internal_value(value)
        except OverflowError:
            self.fail("invalid", format="ISO 8601")
        if not EARLIEST_DATE <= instant.date() <= LATEST_DATE:
            raise serializers.ValidationError(
                f"Enter a date between {EARLIEST_DATE:%-d %B %Y} and {LATEST_DATE:%-d %B %Y}.",
                code="date_out_of_range",
            )
        return instant


def _files_field():
    return serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        max_length=settings.ATTACHMENT_MAX_FILES,
        help_text="Logs and screenshots, as multipart/form-data (the pages' limits apply).",
    )


class TicketCreateSerializer(serializers.Serializer):
    tenant = serializers.CharField(max_length=60, help_text="The tenant's name (GET /tenants/).")
    kind = serializers.ChoiceField(choices=Ticket.Kind.choices, default=Ticket.Kind.INCIDENT)
    priority = serializers.ChoiceField(
        choices=[("", "Let support decide (P3)"), *Priority.choices],
        required=False,
        default="",
        help_text="P1 and P2 only for incidents on production tenants.",
    )
    request_size = serializers.ChoiceField(
        choices=Ticket.RequestSize.choices, required=False, allow_blank=True, default=""
    )
    subject = SingleLineField(max_length=200)
    description = serializers.CharField(max_length=20000)
    reference_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    impact = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    attachments = _files_field()


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000, allow_blank=True)
    next_update_at = PlausibleDateTimeField(
        required=False,
        allow_null=True,
        help_text="Support only: the next update agreed with the customer.",
    )
    attachments = _files_field()


class NoteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000, allow_blank=True)
    attachments = _files_field()


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The ticket's version you acted on."
    )


class ReasonSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=5000, allow_blank=True)


class OptionalReasonSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")


class HandBackSerializer(ReasonSerializer):
    to_level = serializers.ChoiceField(
        choices=SupportLevel.choices[:3], required=False, allow_null=True, default=None
    )


class WaitSerializer(VersionSerializer):
    message = serializers.CharField(max_length=20000, allow_blank=True)


class ReclassifySerializer(ReasonSerializer):
    priority = serializers.ChoiceField(choices=Priority.choices)


class ResolveSerializer(VersionSerializer):
    resolution_type = serializers.ChoiceField(choices=Ticket.ResolutionType.choices)
    summary = serializers.CharField(max_length=20000, allow_blank=True)


class AssignSerializer(VersionSerializer):
    assignee = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, allow_null=True, help_text="An engineer's id, or null."
    )


class AgreeDeliverySerializer(VersionSerializer):
    delivery_at = PlausibleDateTimeField()
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

"""Tickets, their SLA targets, timeline events and attachments.

The ticket's ``status`` and ``level`` are protected state machines: only the transition methods
below change them, and only services (``services.py``) call those methods. Transition bodies
change fields only; timeline events, SLA bookkeeping and mail belong to the service.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from sla.deadlines import Clock, TargetKind
from sla.measurement import Basis as MeasurementBasis
from sla.measurement import State as MeasurementState
from sla.models import Priority
from tenants.models import SupportLevel

from . import rules
from .permissions import transition_permission

LEVEL_ORDER = [SupportLevel.L1, SupportLevel.L2, SupportLevel.L3, SupportLevel.L4]


class Ticket(ConcurrentTransitionMixin, models.Model):
    class Kind(models.TextChoices):
        INCIDENT = "incident", "Incident"
        SERVICE_REQUEST = "service_request", "Service request"

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        WAITING = "waiting", "Waiting for customer"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING)
    ACTIVE_STATUSES = (Status.NEW, Status.IN_PROGRESS)

    class ResolutionType(models.TextChoices):
        RESOLUTION = "resolution", "Resolution"
        WORKAROUND = "workaround", "Workaround"
        ACTION_PLAN = "action_plan", "Action plan"

    class RequestSize(models.TextChoices):
        # The minor request's delivery target is the organisation's SLA policy's number of
        # business days; forms and pages add it from there.
        MINOR = "minor", "Minor change"
        PLANNED = "planned", "Needs planning (delivery date agreed with a specialist)"

    organisation = models.ForeignKey(
        "tenants.Organisation", on_delete=models.PROTECT, related_name="tickets"
    )
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="tickets")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INCIDENT)
    priority = models.CharField(
        max_length=2,
        choices=Priority.choices,
        blank=True,
        help_text="Incidents only; service requests carry no incident priority.",
    )
    request_size = models.CharField(max_length=10, choices=RequestSize.choices, blank=True)
    agreed_delivery_at = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=200)
    description = models.TextField()
    reference_id = models.CharField(
        "reference ID",
        max_length=100,
        blank=True,
        help_text="A conversation, call or interaction ID that shows the problem.",
    )
    impact = models.TextField(
        "steps and impact",
        blank=True,
        help_text="How to reproduce it and who or what is affected.",
    )
    product_defect = models.BooleanField(default=False)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    level = FSMField(
        max_length=2, choices=SupportLevel.choices, default=SupportLevel.L1, protected=True
    )
    status = FSMField(max_length=12, choices=Status.choices, default=Status.NEW, protected=True)
    resolution_type = models.CharField(max_length=12, choices=ResolutionType.choices, blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped by every change, so a stale form is refused."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    last_public_update_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Denormalised from the ticket's SLA targets (``targets.TargetBook.save``) so that the queue
    # sorts and filters through an index instead of computing per row.
    next_due_at = models.DateTimeField(null=True, blank=True)
    sla_breached = models.BooleanField(default=False)
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text="The closed ticket whose problem came back (“this happened again”).",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_due_at", "priority"],
                name="ticket_open_by_next_due",
                condition=Q(status__in=["new", "in_progress", "waiting"]),
            ),
            models.Index(fields=["organisation", "-created_at"], name="ticket_org_recent"),
            models.Index(fields=["tenant", "-created_at"], name="ticket_tenant_recent"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["level", "status"], name="ticket_level_status"),
            # The engineer queue (tickets/queue/) reads its urgency order off these: within
            # one level (its default; also the navigation's counts), for waiting tickets (whose
            # paused clocks leave no deadline, so they all sort last in the indexes above) and
            # for service requests. Migration 0003_queue_indexes adds trigram indexes for the
            # search on PostgreSQL.
            models.Index(
                fields=["level", "next_due_at", "priority", "id"],
                name="ticket_open_level_due",
                condition=Q(status__in=["new", "in_progress", "waiting"]),
            ),
            models.Index(
                fields=["next_due_at", "priority", "id"],
                name="ticket_waiting_by_next_due",
                condition=Q(status="waiting"),
            ),
            models.Index(
                fields=["level", "next_due_at", "priority", "id"],
                name="ticket_waiting_level_due",
                condition=Q(status="waiting"),
            ),
            models.Index(
                fields=["next_due_at", "priority", "id"],
                name="ticket_open_requests_due",
                condition=Q(status__in=["new", "in_progress", "waiting"], kind="service_request"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="ticket_priority_only_for_incidents",
                condition=Q(kind="incident", priority__in=Priority.values)
                | Q(kind="service_request", priority=""),
                violation_error_message="Incidents need a priority; service requests carry none.",
            ),
            models.CheckConstraint(
                name="ticket_request_size_only_for_service_requests",
                condition=Q(kind="service_request", request_size__in=["minor", "planned"])
                | Q(kind="incident", request_size=""),
                violation_error_message="Only service requests are minor or planned.",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def number(self) -> str:
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.status == self.Status.WAITING

    def clean_fields(self, exclude=None) -> None:
        # Field cleaning re-assigns every value, which protected FSM fields refuse; their
        # values only ever come from transitions, so there is nothing to clean.
        super().clean_fields(exclude={*(exclude or ()), "level", "status"})

    def clean(self) -> None:
        super().clean()
        if (
            self.tenant_id
            and self.organisation_id
            and self.tenant.organisation_id != self.organisation_id
        ):
            raise ValidationError(
                {
                    "tenant": ValidationError(
                        "Choose one of your organisation's tenants.", code="foreign_tenant"
                    )
                }
            )
        if self.tenant_id:
            rules.check_priority(kind=self.kind, priority=self.priority, tenant=self.tenant)

    # --- status -------------------------------------------------------------------------
    @transition(
        field=status,
        source=Status.NEW,
        target=Status.IN_PROGRESS,
        permission=transition_permission("start_work"),
    )
    def start_work(self) -> None:
        """Support takes the ticket into work."""

    @transition(
        field=status,
        source=[Status.NEW, Status.IN_PROGRESS],
        target=Status.WAITING,
        permission=transition_permission("wait_for_customer"),
    )
    def wait_for_customer(self) -> None:
        """Ask the customer for something; the ORT and resolution clocks pause."""

    @transition(
        field=status,
        source=Status.WAITING,
        target=Status.IN_PROGRESS,
        permission=transition_permission("resume"),
    )
    def resume(self) -> None:
        """Back to work (support, or the customer's reply); paused clocks run again."""

    @transition(
        field=status,
        source=[Status.NEW, Status.IN_PROGRESS, Status.WAITING],
        target=Status.RESOLVED,
        permission=transition_permission("resolve"),
    )
    def resolve(self, resolution_type: str) -> None:
        self.resolution_type = resolution_type

    @transition(
        field=status,
        source=Status.RESOLVED,
        target=Status.CLOSED,
        permission=transition_permission("confirm"),
    )
    def confirm(self) -> None:
        """The customer confirms the resolution."""

    @transition(
        field=status,
        source=Status.RESOLVED,
        target=Status.CLOSED,
        permission=transition_permission("close"),
    )
    def close(self) -> None:
        """Support closes a resolved ticket (e.g. the customer did not answer)."""

    @transition(
        field=status,
        source=Status.RESOLVED,
        target=Status.IN_PROGRESS,
        permission=transition_permission("reopen"),
    )
    def reopen(self) -> None:
        self.resolution_type = ""

    @transition(
        field=status,
        source=[Status.NEW, Status.IN_PROGRESS, Status.WAITING],
        target=Status.WITHDRAWN,
        permission=transition_permission("withdraw"),
    )
    def withdraw(self) -> None:
        """The submitter no longer needs help."""

    # --- level ----------------------------------------------------------------------------
    @transition(
        field=level,
        source=[SupportLevel.L1, SupportLevel.L2, SupportLevel.L3],
        target=RETURN_VALUE(SupportLevel.L2, SupportLevel.L3, SupportLevel.L4),
        permission=transition_permission("escalate"),
        conditions=[lambda t: t.is_open],
    )
    def escalate(self) -> str:
        return LEVEL_ORDER[LEVEL_ORDER.index(self.level) + 1]

    @transition(
        field=level,
        source=[SupportLevel.L2, SupportLevel.L3, SupportLevel.L4],
        target=RETURN_VALUE(SupportLevel.L1, SupportLevel.L2, SupportLevel.L3),
        permission=transition_permission("hand_back"),
        conditions=[lambda t: t.is_open],
    )
    def hand_back(self, to_level: str | None = None) -> str:
        lower = LEVEL_ORDER[: LEVEL_ORDER.index(self.level)]
        if to_level is None:
            return lower[-1]
        if to_level not in lower:
            raise ValidationError(
                f"A ticket at {self.level} can only be handed back to {', '.join(lower)}.",
                code="hand_back_not_lower",
            )
        return to_level

    @transition(
        field=level,
        source=SupportLevel.L4,
        target=None,
        permission=transition_permission("confirm_product_defect"),
        conditions=[lambda t: t.is_open and t.kind == "incident" and not t.product_defect],
    )
    def confirm_product_defect(self) -> None:
        self.product_defect = True


class TicketTarget(models.Model):
    """One SLA target of a ticket measured under one rule: the initial response, one
    ongoing-update cycle, the resolution, or a service request's delivery.

    A row stores one ``sla.measurement.Measurement`` and changes only through
    ``tickets.targets``; its deadline and warning instants are cached there, never recomputed
    on page views. A re-measure (priority change, product defect, agreed date) closes the row
    and opens the next ``revision`` of the same target, so each row keeps what happened under
    its rule: met, breached or replaced, with the clock time it used and who held the ticket
    then. The sweep claims warnings and breaches on pending rows.
    """

    class Kind(models.TextChoices):
        INITIAL_RESPONSE = TargetKind.INITIAL_RESPONSE.value, "Initial response"
        ONGOING_UPDATE = TargetKind.ONGOING_UPDATE.value, "Ongoing update"
        RESOLUTION = TargetKind.RESOLUTION.value, "Resolution"
        DELIVERY = TargetKind.DELIVERY.value, "Delivery"

    class State(models.TextChoices):
        PENDING = MeasurementState.PENDING.value, "Pending"
        MET = MeasurementState.MET.value, "Met"
        BREACHED = MeasurementState.BREACHED.value, "Breached"
        REPLACED = MeasurementState.REPLACED.value, "Measured again"
        CANCELLED = MeasurementState.CANCELLED.value, "Cancelled"

    class Basis(models.TextChoices):
        POLICY = MeasurementBasis.POLICY.value, "SLA policy"
        PRODUCT_DEFECT = MeasurementBasis.PRODUCT_DEFECT.value, "SLA policy for product defects"
        AGREED = MeasurementBasis.AGREED.value, "Agreed with the customer"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="targets")
    # The ticket's organisation and tenant, which never change: reports of one customer or
    # tenant read its targets by period through their own indexes.
    organisation = models.ForeignKey(
        "tenants.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    cycle = models.PositiveSmallIntegerField(
        default=1, help_text="Ongoing updates count up from 1."
    )
    revision = models.PositiveSmallIntegerField(
        default=1, help_text="Counts up each time the target is measured again."
    )
    priority = models.CharField(max_length=2, blank=True, help_text="Priority it is measured with.")
    basis = models.CharField(max_length=16, choices=Basis.choices, default=Basis.POLICY)
    clock = models.CharField(max_length=10, choices=[(c.value, c.label) for c in Clock])
    target_seconds = models.PositiveIntegerField(help_text="Length of the target on its clock.")
    warn_after_seconds = models.PositiveIntegerField(
        default=0, help_text="Clock time after which the warning falls."
    )
    started_at = models.DateTimeField(help_text="The event the target is measured from.")
    running_since = models.DateTimeField(
        help_text="Since when the clock counts (after the event, a pause or a re-measure)."
    )
    banked_seconds = models.PositiveIntegerField(
        default=0, help_text="Clock time used before running_since."
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0, help_text="Clock time spent paused.")
    due_at = models.DateTimeField(null=True, blank=True, help_text="Empty while paused.")
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    met_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="When the row was closed unmet (re-measured or cancelled)."
    )
    used_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Clock time used, recorded when met or closed."
    )
    held_level = models.CharField(
        max_length=2, blank=True, help_text="The ticket's level when the target was met or missed."
    )
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The ticket's assignee when the target was met or missed.",
    )

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind", "cycle", "revision"], name="target_once_per_revision"
            ),
            # At most one row of each kind waits for its event: re-measures close the old row
            # before they open the next one.
            models.UniqueConstraint(
                fields=["ticket", "kind"],
                condition=Q(
                    state__in=["pending", "breached"], met_at__isnull=True, ended_at__isnull=True
                ),
                name="target_one_outstanding_per_kind",
            ),
            models.CheckConstraint(
                name="target_breach_has_time",
                condition=~Q(state="breached") | Q(breached_at__isnull=False),
            ),
            models.CheckConstraint(
                name="target_met_has_time",
                condition=~Q(state="met") | Q(met_at__isnull=False),
            ),
        ]
        indexes = [
            # The periodic sweep reads only due rows through these.
            models.Index(
                fields=["due_at"], name="target_pending_due", condition=Q(state="pending")
            ),
            models.Index(
                fields=["warn_at"],
                name="target_pending_warn",
                condition=Q(state="pending", warned_at__isnull=True),
            ),
            # Reports count targets by the period their deadline falls in: a month reads one
            # range of this index, whatever the length of the history, and finds every column
            # the compliance aggregate and the drill-downs need in it without visiting the table.
            models.Index(
                fields=[
                    "due_at",
                    "priority",
                    "kind",
                    "basis",
                    "clock",
                    "state",
                    "used_seconds",
                    "met_at",
                    "ended_at",
                    # the drill-downs' dimensions
                    "organisation",
                    "tenant",
                    "held_level",
                    "held_by",
                ],
                name="target_report_due",
                condition=Q(state__in=["met", "breached", "pending"]),
            ),
            # The same rows in the order of the compliance table's groups, for long periods:
            # PostgreSQL reads a year of it alone and in order, without sorting 280,000 rows
            # (a month stays a range of the index above); SQLite, once it has statistics
            # (``lib.database.refresh_statistics``), reads it as one range per group (a
            # skip-scan), for a month and a year alike.
            models.Index(
                fields=[
                    "priority",
                    "kind",
                    "basis",
                    "clock",
                    "due_at",
                    "state",
                    "used_seconds",
                    "met_at",
                    "ended_at",
                ],
                name="target_report_groups",
                condition=Q(state__in=["met", "breached", "pending"]),
            ),
            models.Index(
                fields=["organisation", "due_at"],
                name="target_report_org_due",
                condition=Q(state__in=["met", "breached", "pending"]),
            ),
            models.Index(
                fields=["tenant", "due_at"],
                name="target_report_tenant_due",
                condition=Q(state__in=["met", "breached", "pending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} of #{self.ticket_id}"

    @property
    def label(self) -> str:
        label = self.get_kind_display()
        if self.kind == self.Kind.ONGOING_UPDATE:
            label += f" {self.cycle}"
        return label

    @property
    def is_outstanding(self) -> bool:
        """Still waiting for its event (a breached target is outstanding until it happens)."""
        return (
            self.state in (self.State.PENDING, self.State.BREACHED)
            and self.met_at is None
            and self.ended_at is None
        )

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None and self.is_outstanding


class TicketEvent(models.Model):
    """A line of the ticket's timeline: who did what, when and why."""

    class Kind(models.TextChoices):
        CREATED = "created", "Ticket submitted"
        PUBLIC_REPLY = "public_reply", "Reply from support"
        CUSTOMER_REPLY = "customer_reply", "Reply from the customer"
        INTERNAL_NOTE = "internal_note", "Internal note"
        STATUS_CHANGED = "status_changed", "Status changed"
        LEVEL_CHANGED = "level_changed", "Level changed"
        PRIORITY_CHANGED = "priority_changed", "Priority changed"
        ASSIGNED = "assigned", "Assigned"
        DEFECT_CONFIRMED = "defect_confirmed", "Product defect confirmed"
        DELIVERY_AGREED = "delivery_agreed", "Delivery date agreed"
        SLA_MET = "sla_met", "SLA target met"
        SLA_WARNING = "sla_warning", "SLA warning"
        SLA_BREACHED = "sla_breached", "SLA target breached"
        OUTAGE = "outage", "Outage recorded"
        EDITED = "edited", "Details edited"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    public = models.BooleanField(help_text="Shown to the customer.")
    body = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["ticket", "at"], name="event_ticket_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.ticket_id}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Stored under a server-generated name; the original name is kept only as data."""
    suffix = PurePath(filename).suffix.lower()[:10]
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        TicketEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    public = models.BooleanField(default=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

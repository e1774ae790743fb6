"""Service availability: maintenance windows, outages, notices and monthly statements.

- ``AvailabilityTarget``: the monthly availability an SLA promises (99.92 % by default), data.
- ``MaintenanceSlot``: the times §5.1 reserves per region: the weekly window, which recurs, and
  the time a quarterly window takes when one is scheduled.
- ``MaintenanceWindow``: one occurrence. Quarterly windows exist only as rows; weekly ones follow
  their slot and get a row when staff mark one used, move or cancel it (``selectors`` lays the
  rows over the recurrence). ``MaintenanceWindowChange`` keeps who did what and why.
- ``Outage``: a tenant's unplanned unavailability, full or partial, linked to incidents.
- ``MaintenanceSubscription`` and ``MaintenanceNotice``: who wants the §5.1.3 notices, and one
  row per notice sent, so that each goes out once per window, kind and contact.
- ``SlaStatement``: one row per organisation and month, so that each statement goes out once.

The arithmetic lives in ``sla/availability.py``; writes go through ``services.py``.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from sla.models import Weekday
from tenants.models import Region


class MaintenanceKind(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    QUARTERLY = "quarterly", "Quarterly"


class AvailabilityTarget(models.Model):
    """The monthly availability an SLA policy promises. The row without a policy is the default
    for every policy that has none of its own."""

    policy = models.OneToOneField(
        "sla.Policy",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="availability_target",
        verbose_name="SLA policy",
        help_text="Leave empty for the default that applies to every policy without its own.",
    )
    percent = models.DecimalField(
        "monthly target (%)",
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Monthly availability promised, e.g. 99.920.",
    )

    class Meta:
        ordering = [F("policy").asc(nulls_first=True)]
        constraints = [
            models.CheckConstraint(
                name="availability_target_percent_range",
                condition=Q(percent__gt=0, percent__lte=100),
                violation_error_message="The target must lie above 0 % and at most 100 %.",
            ),
            # One row per policy and a single default (NULL policy): NULLs are distinct in a
            # plain unique index, so the index is over the policy with NULL read as 0.
            models.UniqueConstraint(
                Coalesce("policy", Value(0)),
                name="availability_target_one_per_policy",
                violation_error_message="That policy already has an availability target.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.percent} % for {self.policy or 'every other policy'}"


class MaintenanceSlot(models.Model):
    """A time §5.1 reserves for maintenance in a region, from ``effective_from`` until the next
    slot of the same region and kind takes over (so that changing the schedule does not rewrite
    past months). Times are exact UTC, as in the service description."""

    region = models.CharField(max_length=12, choices=Region.choices)
    kind = models.CharField(max_length=10, choices=MaintenanceKind.choices)
    weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, help_text="The day the window starts on, in UTC."
    )
    starts_at = models.TimeField("starts at (UTC)")
    duration_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(7 * 24 * 60)]
    )
    effective_from = models.DateTimeField(
        help_text="Occurrences starting from this instant follow this slot."
    )

    class Meta:
        ordering = ["region", "kind", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind", "effective_from"], name="maintenance_slot_once"
            ),
            models.CheckConstraint(
                name="maintenance_slot_duration_range",
                condition=Q(duration_minutes__gt=0, duration_minutes__lte=7 * 24 * 60),
                violation_error_message="A window lasts at least a minute and at most a week.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_region_display()} {self.get_kind_display().lower()}: "
            f"{self.get_weekday_display()} {self.starts_at:%H:%M} UTC, "
            f"{self.duration_minutes // 60} h {self.duration_minutes % 60:02d} min"
        )

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)


class MaintenanceWindow(models.Model):
    """One occurrence of a maintenance window of a region.

    ``planned_*`` is the reserved time (the slot's occurrence, or what was scheduled);
    ``starts_at``/``ends_at`` the time in force, which staff may move. Only a window marked
    ``used`` is announced; a cancelled one is neither announced nor excluded from availability.
    """

    region = models.CharField(max_length=12, choices=Region.choices)
    kind = models.CharField(max_length=10, choices=MaintenanceKind.choices)
    planned_starts_at = models.DateTimeField()
    planned_ends_at = models.DateTimeField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    used = models.BooleanField(
        default=False, help_text="Used windows are announced to subscribed contacts."
    )
    summary = models.CharField(
        max_length=200,
        blank=True,
        help_text="What the maintenance is for, as customers read it in the notices.",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind", "planned_starts_at"], name="maintenance_window_once"
            ),
            models.CheckConstraint(
                name="maintenance_window_ends_after_start",
                condition=Q(ends_at__gt=F("starts_at"), planned_ends_at__gt=F("planned_starts_at")),
                violation_error_message="A maintenance window must end after it starts.",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "starts_at"], name="maintenance_region_start"),
            # The notice job reads only used windows that are still going ahead.
            models.Index(
                fields=["starts_at"],
                name="maintenance_used_start",
                condition=Q(used=True, cancelled_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_region_display()} {self.get_kind_display().lower()} window "
            f"{self.starts_at:%Y-%m-%d %H:%M} UTC"
        )

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_moved(self) -> bool:
        return (self.starts_at, self.ends_at) != (self.planned_starts_at, self.planned_ends_at)

    @property
    def planned_length(self) -> timedelta:
        return self.planned_ends_at - self.planned_starts_at


class MaintenanceWindowChange(models.Model):
    """Who scheduled, marked, moved or cancelled a window, when and why."""

    class Action(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        MARKED_USED = "marked_used", "Marked used"
        MARKED_UNUSED = "marked_unused", "Marked not used"
        MOVED = "moved", "Moved"
        CANCELLED = "cancelled", "Cancelled"
        SUMMARY = "summary", "Description changed"

    window = models.ForeignKey(MaintenanceWindow, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.window} at {self.at:%Y-%m-%d %H:%M}"


class Outage(models.Model):
    """A stretch of time a tenant was unavailable (full) or degraded (partial). Open while
    ``ends_at`` is empty. Outages recorded together (a data-centre incident) share ``incident``."""

    class Scope(models.TextChoices):
        FULL = "full", "Full outage"
        PARTIAL = "partial", "Partial outage"

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="outages")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.FULL)
    cause = models.TextField()
    incident = models.UUIDField(
        default=uuid.uuid4,
        db_index=True,
        help_text="Shared by the outages of several tenants recorded together.",
    )
    tickets = models.ManyToManyField("tickets.Ticket", blank=True, related_name="outages")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped by every change, so a stale form is refused."
    )

    class Meta:
        ordering = ["-starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="outage_ends_after_start",
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                violation_error_message="An outage must end after it starts.",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "starts_at"], name="outage_tenant_start"),
            # Months and the status strip read outages that end after a given instant or are
            # still open.
            models.Index(fields=["ends_at"], name="outage_ends"),
            models.Index(
                fields=["starts_at"], name="outage_open", condition=Q(ends_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} of {self.tenant} from {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ends_at is None

    @property
    def is_full(self) -> bool:
        return self.scope == self.Scope.FULL


class MaintenanceSubscription(models.Model):
    """A contact's choice to receive maintenance notices (§5.1.3: "you need to subscribe")."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="maintenance_subscription",
    )
    subscribed = models.BooleanField(default=True)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user}: {'subscribed' if self.subscribed else 'not subscribed'}"


class MaintenanceNotice(models.Model):
    """A maintenance notice sent to one contact: the unique row is the claim that makes a
    second run, a second beat or a racing worker send nothing again."""

    class Kind(models.TextChoices):
        PRELIMINARY = "preliminary", "Preliminary notice"
        START = "start", "Start notice"
        COMPLETION = "completion", "Completion notice"

    window = models.ForeignKey(MaintenanceWindow, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(help_text="The address it was sent to.")
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["window", "kind", "recipient"], name="maintenance_notice_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.window} to {self.email}"


class SlaStatement(models.Model):
    """The monthly SLA statement of one organisation: one row per month, written in the
    transaction that queues the email, so that it goes out once."""

    organisation = models.ForeignKey(
        "tenants.Organisation", on_delete=models.CASCADE, related_name="sla_statements"
    )
    month = models.DateField(help_text="The first day of the month the statement covers.")
    sent_at = models.DateTimeField()
    recipients = models.JSONField(default=list)
    figures = models.JSONField(default=dict, help_text="What the statement said, as sent.")

    class Meta:
        verbose_name = "SLA statement"
        ordering = ["-month", "organisation"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="sla_statement_once"),
        ]

    def __str__(self) -> str:
        return f"SLA statement of {self.organisation} for {self.month:%B %Y}"

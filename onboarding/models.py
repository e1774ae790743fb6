"""Onboarding checklists: each new customer's way from the signed contract to go-live
(service description §3, table 1 "Onboarding Steps").

The tables keep the names they had when onboarding lived in ``tenants``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class OnboardingChecklist(models.Model):
    """The onboarding of one customer, from the signed contract to go-live. Created by
    ``onboarding.services.onboarding_start`` when the contract is signed."""

    organisation = models.OneToOneField(
        "tenants.Organisation", on_delete=models.CASCADE, related_name="onboarding"
    )
    signed_on = models.DateField("contract signed on")
    planned_go_live_on = models.DateField("planned go-live", null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "tenants_onboardingchecklist"
        ordering = ["organisation__name"]
        constraints = [
            models.CheckConstraint(
                name="onboarding_go_live_after_signing",
                condition=models.Q(planned_go_live_on__isnull=True)
                | models.Q(planned_go_live_on__gte=models.F("signed_on")),
                violation_error_message="The planned go-live cannot be before the contract was signed.",
            ),
        ]

    def __str__(self) -> str:
        return f"Onboarding of {self.organisation}"


class OnboardingPhase(models.TextChoices):
    PROVISIONING = "provisioning", "Provisioning"
    CONFIGURATION = "configuration", "Configuration"
    GO_LIVE = "go_live", "Testing and go-live"


class OnboardingParty(models.TextChoices):
    """Who does a step (table 1 "Responsible")."""

    VENDOR = "vendor", "Vendor"
    CUSTOMER = "customer", "Customer"
    CUSTOMER_OPERATOR = "customer_operator", "Customer / operator"
    CUSTOMER_PARTNER = "customer_partner", "Customer / partner"


CUSTOMER_PARTIES = frozenset(
    {
        OnboardingParty.CUSTOMER,
        OnboardingParty.CUSTOMER_OPERATOR,
        OnboardingParty.CUSTOMER_PARTNER,
    }
)


class OnboardingStep(models.Model):
    """One step of a checklist. Done, not applicable (not ordered), or still open; an open step
    past its due date is overdue and reminded daily."""

    checklist = models.ForeignKey(
        OnboardingChecklist, on_delete=models.CASCADE, related_name="steps"
    )
    code = models.SlugField(max_length=40, help_text="Which step of the standard table this is.")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    phase = models.CharField(max_length=16, choices=OnboardingPhase.choices)
    responsible = models.CharField(max_length=20, choices=OnboardingParty.choices)
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    not_applicable = models.BooleanField(
        default=False, help_text="Not part of this customer's order."
    )
    note = models.TextField(blank=True)

    class Meta:
        db_table = "tenants_onboardingstep"
        ordering = ["checklist", "position"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "code"], name="onboarding_step_once"),
            models.CheckConstraint(
                name="onboarding_step_done_or_not_applicable",
                condition=models.Q(done_at__isnull=True) | models.Q(not_applicable=False),
                violation_error_message="A step that is not applicable cannot be done.",
            ),
        ]
        indexes = [
            # The daily reminder job and the overdue-first list read only open steps with a date.
            models.Index(
                fields=["due_on"],
                name="onboarding_step_open_due",
                condition=models.Q(done_at__isnull=True, not_applicable=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.done_at is None and not self.not_applicable

    @property
    def is_customers(self) -> bool:
        return self.responsible in CUSTOMER_PARTIES

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today


class OnboardingReminder(models.Model):
    """A reminder sent about an overdue step: one row per step and local day, so that the
    hourly job, a second beat or a redelivered task send it once."""

    step = models.ForeignKey(OnboardingStep, on_delete=models.CASCADE, related_name="reminders")
    sent_on = models.DateField(help_text="Local date in the calendar's time zone.")
    sent_at = models.DateTimeField()
    recipients = models.JSONField(default=list)
    flagged_to_managers = models.BooleanField(default=False)

    class Meta:
        db_table = "tenants_onboardingreminder"
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["step", "sent_on"], name="onboarding_reminder_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder of {self.step} on {self.sent_on}"

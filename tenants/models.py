"""Customer organisations, their tenants, and the people who use the portal.

A person is a ``User`` who signs in by email. Customer contacts belong to one organisation
and carry a contact role; support staff belong to none and get their powers from the
"Support engineers" and "Support managers" groups (see ``roles.py``), engineers also carrying
the level of the ladder they work at.
"""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from sla.models import standard_policy_pk


class Organisation(models.Model):
    """A customer organisation of the vendor."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    contract_signed_on = models.DateField(null=True, blank=True)
    go_live_on = models.DateField(null=True, blank=True)
    terminated_on = models.DateField(null=True, blank=True)
    sla_policy = models.ForeignKey(
        "sla.Policy",
        on_delete=models.PROTECT,
        related_name="organisations",
        default=standard_policy_pk,
        verbose_name="SLA policy",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="organisation_go_live_after_contract",
                condition=models.Q(go_live_on__isnull=True)
                | models.Q(contract_signed_on__isnull=True)
                | models.Q(go_live_on__gte=models.F("contract_signed_on")),
                violation_error_message="The go-live date cannot be before the contract was signed.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Region(models.TextChoices):
    """Maintenance regions (service description §5.1)."""

    AMERICAS = "americas", "Americas"
    EUROPE = "europe", "Europe"
    APAC = "apac", "APAC"
    AFRICA = "africa", "Africa"


class DataCentre(models.TextChoices):
    US_WEST = "us-west", "US West (Oregon)"
    EU = "eu", "EU (Frankfurt)"
    AU = "au", "AU (Sydney)"
    AF = "af", "AF (Cape Town)"


REGION_OF_DATA_CENTRE = {
    DataCentre.US_WEST: Region.AMERICAS,
    DataCentre.EU: Region.EUROPE,
    DataCentre.AU: Region.APAC,
    DataCentre.AF: Region.AFRICA,
}


class Tenant(models.Model):
    """One installation of the service for a customer, production or test."""

    class Kind(models.TextChoices):
        PRODUCTION = "production", "Production"
        TEST = "test", "Test"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tenants")
    name = models.SlugField(
        max_length=60, unique=True, help_text="Technical tenant name, e.g. northwind-prod."
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PRODUCTION)
    data_centre = models.CharField(max_length=12, choices=DataCentre.choices)
    provisioned_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When provisioning completed: SLA measurement and invoicing start here.",
    )

    class Meta:
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def region(self) -> str:
        return REGION_OF_DATA_CENTRE[DataCentre(self.data_centre)]

    def get_region_display(self) -> str:
        return Region(self.region).label

    @property
    def is_production(self) -> bool:
        return self.kind == self.Kind.PRODUCTION


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class ContactRole(models.TextChoices):
    MAIN = "main", "Main contact"
    TECHNICAL_ADMIN = "technical_admin", "Technical administrator"
    FINANCIAL = "financial", "Financial contact"
    CONTACT = "contact", "Contact"


# Contact roles that may manage the contact accounts of their organisation.
CUSTOMER_ADMIN_ROLES = frozenset({ContactRole.MAIN, ContactRole.TECHNICAL_ADMIN})


class SupportLevel(models.TextChoices):
    L1 = "L1", "L1 – general support"
    L2 = "L2", "L2 – product support"
    L3 = "L3", "L3 – technical operations"
    L4 = "L4", "L4 – software development"


class User(AbstractUser):
    """A person who signs in with their email address."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    phone = models.CharField(max_length=40, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="contacts",
        null=True,
        blank=True,
        help_text="Set for customer contacts; empty for the vendor's support staff.",
    )
    contact_role = models.CharField(max_length=20, choices=ContactRole.choices, blank=True)
    support_level = models.CharField(
        max_length=2,
        choices=SupportLevel.choices,
        blank=True,
        help_text="The ladder level a support engineer works at.",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        ordering = ["full_name", "email"]
        permissions = [
            ("work_tickets", "Can work tickets as a support engineer"),
            ("manage_support", "Can see every queue, reassign, override and read SLA reports"),
        ]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                name="user_contact_role_needs_organisation",
                condition=models.Q(organisation__isnull=True, contact_role="")
                | models.Q(organisation__isnull=False) & ~models.Q(contact_role=""),
                violation_error_message="A customer contact needs both an organisation and a role.",
            ),
            models.CheckConstraint(
                name="user_contact_has_no_support_level",
                condition=models.Q(organisation__isnull=True) | models.Q(support_level=""),
                violation_error_message="A customer contact cannot have a support level.",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    # Role helpers: the only place that turns data into "what kind of user is this".
    @property
    def is_customer(self) -> bool:
        return self.organisation_id is not None

    @property
    def is_customer_admin(self) -> bool:
        return self.is_customer and self.contact_role in CUSTOMER_ADMIN_ROLES

    @property
    def is_support_engineer(self) -> bool:
        return not self.is_customer and self.has_perm("tenants.work_tickets")

    @property
    def is_support_manager(self) -> bool:
        return not self.is_customer and self.has_perm("tenants.manage_support")

    @property
    def is_support_staff(self) -> bool:
        return self.is_support_engineer or self.is_support_manager


class Heartbeat(models.Model):
    """When a periodic job last ran, so that staff can see the background jobs are alive."""

    name = models.CharField(max_length=60, unique=True)
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_seen_at:%Y-%m-%d %H:%M:%S}"


# --- Onboarding (service description §3, table 1 "Onboarding Steps") --------------------------


class OnboardingChecklist(models.Model):
    """The onboarding of one customer, from the signed contract to go-live. Created by
    ``tenants.onboarding.onboarding_start`` when the contract is signed."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="onboarding"
    )
    signed_on = models.DateField("contract signed on")
    planned_go_live_on = models.DateField("planned go-live", null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
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
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    not_applicable = models.BooleanField(
        default=False, help_text="Not part of this customer's order."
    )
    note = models.TextField(blank=True)

    class Meta:
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
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["step", "sent_on"], name="onboarding_reminder_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder of {self.step} on {self.sent_on}"

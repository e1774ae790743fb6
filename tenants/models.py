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

from sla.models import standard_policy_pk, validate_time_zone


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
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Pages and emails show times in this zone (empty: the vendor's).",
    )
    quiet_mail = models.JSONField(
        default=list,
        blank=True,
        help_text="Kinds of mail the person chose not to receive (tenants.preferences.Mail).",
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
        return not self.is_customer and self._role_perm("tenants.work_tickets")

    @property
    def is_support_manager(self) -> bool:
        return not self.is_customer and self._role_perm("tenants.manage_support")

    def _role_perm(self, perm: str) -> bool:
        """``has_perm``, asked once per person object (a page asks a few dozen times) and as
        fresh as Django's own permission cache on the object: again if ``is_active`` or
        ``is_superuser`` changes."""
        key = (perm, self.is_active, self.is_superuser)
        cache = self.__dict__.setdefault("_role_perm_cache", {})
        if key not in cache:
            cache[key] = self.has_perm(perm)
        return cache[key]

    @property
    def is_support_staff(self) -> bool:
        return self.is_support_engineer or self.is_support_manager


class Heartbeat(models.Model):
    """When a periodic job last ran, so that staff can see the background jobs are alive."""

    name = models.CharField(max_length=60, unique=True)
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_seen_at:%Y-%m-%d %H:%M:%S}"

"""SLA policies and business calendars, as data that administrators edit in Django admin.

A ``Calendar`` says when the business clock runs (time zone, weekly windows, public holidays of a
country, extra closure days and "open anyway" days). A ``Policy`` names a calendar and holds one
``PolicyTarget`` row per (priority, kind) it promises; a missing row means "no target". The
arithmetic lives in ``deadlines.py``; ``services.py`` turns these rows into its inputs.
"""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, available_timezones

import holidays
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .deadlines import Clock, TargetKind
from .words import counted

STANDARD_POLICY_SLUG = "standard"
CLOCK_CHOICES = [(clock.value, clock.label) for clock in Clock]


class Priority(models.TextChoices):
    """Incident priorities. P1–P4 follow the service description; P5 exists for SLAs with a
    five-step scale (``004_*``)."""

    P1 = "P1", "P1 – very high"
    P2 = "P2", "P2 – high"
    P3 = "P3", "P3 – medium"
    P4 = "P4", "P4 – low"
    P5 = "P5", "P5 – minor"

    @property
    def meaning(self) -> str:
        """What the priority is for, as the service descriptions define it."""
        return PRIORITY_MEANINGS[self]


PRIORITY_MEANINGS = {
    Priority.P1: "the production service is down, core business is seriously affected, or an "
    "imminent go-live cannot complete",
    Priority.P2: "business is seriously affected and necessary tasks cannot be done",
    Priority.P3: "business is affected",
    Priority.P4: "little or no effect on business",
    Priority.P5: "a minor issue that does not affect the service",
}


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            "%(value)s is not a time zone name such as Europe/Helsinki.",
            code="unknown_time_zone",
            params={"value": value},
        )


class StampedOnSave(models.Model):
    """Stamps ``updated_at`` on every save, so caches of calendars and policies notice edits."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        # Not auto_now: fixtures (raw saves) may leave the field out and still get a value.
        self.updated_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)


class CalendarManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> Calendar:
        return self.get(slug=slug)


class Calendar(StampedOnSave):
    """When the business clock runs."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(
        max_length=64,
        default="Europe/Helsinki",
        validators=[validate_time_zone],
        help_text="Opening hours and holidays are in this time zone, e.g. Europe/Helsinki.",
    )
    holiday_country = models.CharField(
        max_length=3,
        default="FI",
        blank=True,
        help_text="ISO country code whose public holidays close the calendar (empty for none).",
    )
    holiday_subdivision = models.CharField(
        max_length=10,
        blank=True,
        help_text="Optional region of that country, e.g. ENG for England in GB.",
    )
    business_day_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text="Length of one business day in business minutes. Leave empty to use the "
        "calendar's usual open day (510 for 08:00–16:30).",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CalendarManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="sla_calendar_business_day_positive",
                condition=Q(business_day_minutes__isnull=True) | Q(business_day_minutes__gt=0),
                violation_error_message="A business day must last at least one minute.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def clean(self) -> None:
        super().clean()
        self.holiday_country = self.holiday_country.upper()
        self.holiday_subdivision = self.holiday_subdivision.upper()
        if not self.holiday_country:
            if self.holiday_subdivision:
                raise ValidationError(
                    {
                        "holiday_subdivision": ValidationError(
                            "A subdivision needs a holiday country.",
                            code="subdivision_without_country",
                        )
                    }
                )
            return
        supported = holidays.list_supported_countries()
        if self.holiday_country not in supported:
            raise ValidationError(
                {
                    "holiday_country": ValidationError(
                        f"No public holidays are known for {self.holiday_country}.",
                        code="unknown_holiday_country",
                    )
                }
            )
        subdivisions = supported[self.holiday_country]
        if self.holiday_subdivision and self.holiday_subdivision not in subdivisions:
            raise ValidationError(
                {
                    "holiday_subdivision": ValidationError(
                        f"{self.holiday_country} has no subdivision "
                        f"{self.holiday_subdivision}; choose one of {', '.join(subdivisions)}.",
                        code="unknown_holiday_subdivision",
                    )
                }
            )

    def touch(self) -> None:
        """Record an edit of the calendar's windows or days, so that cached copies in other
        processes notice it (see ``services.calendar_for``)."""
        self.updated_at = timezone.now()
        Calendar.objects.filter(pk=self.pk).update(updated_at=self.updated_at)


class OpeningWindowManager(models.Manager):
    def get_by_natural_key(self, calendar_slug: str, weekday: int, opens: str) -> OpeningWindow:
        return self.get(calendar__slug=calendar_slug, weekday=weekday, opens=opens)


class OpeningWindow(models.Model):
    """One stretch of business hours on a weekday, in the calendar's local time. A day may have
    several (e.g. a lunch break); closing at 00:00 means midnight at the end of the day."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField(help_text="Outside hours from this instant on; 00:00 = midnight.")

    objects = OpeningWindowManager()

    class Meta:
        ordering = ["calendar", "weekday", "opens"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "weekday", "opens"], name="sla_window_unique_opening"
            ),
            models.CheckConstraint(
                name="sla_window_closes_after_opening",
                condition=Q(closes__gt=F("opens")) | Q(closes=time(0)),
                violation_error_message="A window must close after it opens.",
            ),
            models.CheckConstraint(
                name="sla_window_weekday_range", condition=Q(weekday__gte=0, weekday__lte=6)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def natural_key(self) -> tuple:
        return (*self.calendar.natural_key(), self.weekday, self.opens.isoformat())

    natural_key.dependencies = ["sla.calendar"]

    @property
    def closes_at_midnight(self) -> bool:
        return self.closes == time(0)

    def clean(self) -> None:
        super().clean()
        if (
            self.opens is not None
            and self.closes is not None
            and not self.closes_at_midnight
            and self.closes <= self.opens
        ):
            raise ValidationError(
                {
                    "closes": ValidationError(
                        "A window must close after it opens (00:00 means midnight).",
                        code="window_closes_before_opening",
                    )
                }
            )


class CalendarDayManager(models.Manager):
    def get_by_natural_key(self, calendar_slug: str, day: str):
        return self.get(calendar__slug=calendar_slug, date=day)


class ClosureDay(models.Model):
    """A date on which the calendar is closed although it is no public holiday."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="closure_days")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    objects = CalendarDayManager()

    class Meta:
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="sla_closure_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} closed" + (f" ({self.reason})" if self.reason else "")

    def natural_key(self) -> tuple:
        return (*self.calendar.natural_key(), self.date.isoformat())

    natural_key.dependencies = ["sla.calendar"]


class OpenDay(models.Model):
    """A public holiday on which the calendar keeps its usual hours anyway."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="open_days")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    objects = CalendarDayManager()

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = "open-anyway day"
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="sla_open_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} open" + (f" ({self.reason})" if self.reason else "")

    def natural_key(self) -> tuple:
        return (*self.calendar.natural_key(), self.date.isoformat())

    natural_key.dependencies = ["sla.calendar"]


class PolicyManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> Policy:
        return self.get(slug=slug)


class Policy(StampedOnSave):
    """An SLA: which calendar its business clock follows and what it promises per priority."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="policies")
    warning_share = models.FloatField(
        default=0.8,
        validators=[MinValueValidator(0.01), MaxValueValidator(0.99)],
        help_text="Warn when this share of a target's clock time is used (0.8 = 80 %).",
    )
    minor_request_delivery_days = models.PositiveSmallIntegerField(
        default=3,
        help_text="Target delivery of a minor service request, in business days "
        "(service description: 3 workdays). Requests that need planning get an agreed date.",
    )
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PolicyManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "policies"
        constraints = [
            models.CheckConstraint(
                name="sla_policy_warning_share_range",
                condition=Q(warning_share__gt=0, warning_share__lt=1),
                violation_error_message="The warning share must lie between 0 and 1.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def touch(self) -> None:
        """Record an edit of the policy's targets (see ``services.target_for``)."""
        self.updated_at = timezone.now()
        Policy.objects.filter(pk=self.pk).update(updated_at=self.updated_at)


def standard_policy_pk() -> int:
    """Primary key of the default policy, for ``Organisation.sla_policy``'s default."""
    try:
        return Policy.objects.values_list("pk", flat=True).get(slug=STANDARD_POLICY_SLUG)
    except Policy.DoesNotExist:
        raise Policy.DoesNotExist(
            f"The default SLA policy '{STANDARD_POLICY_SLUG}' is missing; run the migrations "
            "or create it in admin."
        ) from None


class PolicyTargetManager(models.Manager):
    def get_by_natural_key(self, policy_slug: str, priority: str, kind: str) -> PolicyTarget:
        return self.get(policy__slug=policy_slug, priority=priority, kind=kind)


class PolicyTarget(models.Model):
    """What a policy promises for one priority and one kind of target."""

    class Kind(models.TextChoices):
        INITIAL_RESPONSE = TargetKind.INITIAL_RESPONSE.value, "Initial response"
        ONGOING_UPDATE = TargetKind.ONGOING_UPDATE.value, "Ongoing update"
        ONGOING_UPDATE_DEFECT = "ongoing_update_defect", "Ongoing update (product defect)"
        RESOLUTION = TargetKind.RESOLUTION.value, "Resolution"

    class Unit(models.TextChoices):
        MINUTES = "minutes", "minutes"
        HOURS = "hours", "hours"
        BUSINESS_DAYS = "business_days", "business days"

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(max_length=2, choices=Priority.choices)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    clock = models.CharField(max_length=10, choices=CLOCK_CHOICES)
    amount = models.PositiveIntegerField()
    unit = models.CharField(max_length=16, choices=Unit.choices, default=Unit.MINUTES)
    count_from_next_day = models.BooleanField(
        default=False,
        help_text='Start counting on the day after the event ("MTTR stated in working days '
        'starts the day after the report").',
    )

    objects = PolicyTargetManager()

    class Meta:
        ordering = ["policy", "priority", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "priority", "kind"], name="sla_target_unique_per_priority"
            ),
            models.CheckConstraint(
                name="sla_target_amount_positive",
                condition=Q(amount__gt=0),
                violation_error_message="A target needs a positive amount.",
            ),
            models.CheckConstraint(
                name="sla_target_business_days_on_business_clock",
                condition=~Q(unit="business_days") | Q(clock=Clock.BUSINESS.value),
                violation_error_message="Business days only make sense on the business clock.",
            ),
        ]

    # The unit of one, for labels such as "1 business day".
    UNIT_SINGULAR = {Unit.MINUTES: "minute", Unit.HOURS: "hour", Unit.BUSINESS_DAYS: "business day"}

    def __str__(self) -> str:
        unit = self.UNIT_SINGULAR.get(self.unit, str(self.get_unit_display()))
        return f"{self.priority} {self.get_kind_display()}: {counted(self.amount, unit)}"

    def natural_key(self) -> tuple:
        return (*self.policy.natural_key(), self.priority, self.kind)

    natural_key.dependencies = ["sla.policy"]

    def clean(self) -> None:
        super().clean()
        if self.unit == self.Unit.BUSINESS_DAYS and self.clock != Clock.BUSINESS:
            raise ValidationError(
                {
                    "unit": ValidationError(
                        "Business days only make sense on the business-hours clock.",
                        code="business_days_need_business_clock",
                    )
                }
            )
        if self.amount is not None and self.amount <= 0:
            raise ValidationError(
                {
                    "amount": ValidationError(
                        "A target needs a positive amount; delete the row for no target.",
                        code="target_not_positive",
                    )
                }
            )

    def seconds(self, day_seconds: int) -> int:
        """The target's length in clock seconds, given one business day of the calendar."""
        if self.unit == self.Unit.BUSINESS_DAYS:
            return self.amount * day_seconds
        if self.unit == self.Unit.HOURS:
            return self.amount * 3600
        return self.amount * 60

from datetime import UTC, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from lib.forms import DateTimeLocalInput, validate_plausible_date

from . import services
from .deadlines import PRIORITY_TARGET_KINDS, TargetKind
from .models import STANDARD_POLICY_SLUG, Policy, Priority

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class WallClockDateTimeField(forms.DateTimeField):
    """A local date and time left naive: the form attaches the policy calendar's time zone
    (Django's own field would use the portal's zone, which need not be the calendar's)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip()
        for fmt in self.input_formats:
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


def _now_on_the_wall_clock() -> datetime:
    # The portal's zone: the default policy's calendar is in it.
    return timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)


class CalculatorForm(forms.Form):
    policy = forms.ModelChoiceField(
        queryset=Policy.objects.select_related("calendar"),
        to_field_name="slug",
        empty_label=None,
    )
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.P3)
    target = forms.ChoiceField(
        choices=[(kind.value, kind.label) for kind in PRIORITY_TARGET_KINDS],
        initial=TargetKind.INITIAL_RESPONSE.value,
    )
    start = WallClockDateTimeField(
        input_formats=LOCAL_INPUT_FORMATS,
        # Near year 1 or 9999 the deadline arithmetic would overflow.
        validators=[validate_plausible_date],
        widget=DateTimeLocalInput,
        help_text="Local time in the time zone of the policy's calendar.",
    )
    product_defect = forms.BooleanField(
        required=False,
        label="Confirmed product defect",
        help_text="Ongoing updates follow the policy's target for product defects where it "
        "has one.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["policy"].initial = STANDARD_POLICY_SLUG
        self.fields["start"].initial = _now_on_the_wall_clock

    def clean(self):
        data = super().clean()
        policy, start, priority = data.get("policy"), data.get("start"), data.get("priority")
        if policy is None:
            return data
        if priority and priority not in services.priorities_of(policy):
            used = ", ".join(services.priorities_of(policy))
            self.add_error(
                "priority",
                ValidationError(
                    f"The policy {policy.name} has no priority {priority}; it uses {used}.",
                    code="priority_not_in_policy",
                ),
            )
        if start is not None:
            data["start"] = self._aware(start, policy)
        return data

    def _aware(self, naive: datetime, policy: Policy) -> datetime | None:
        tz = policy.calendar.tz
        aware = naive.replace(tzinfo=tz)
        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
            self.add_error(
                "start",
                ValidationError(
                    f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key}: the clocks skip it "
                    "when daylight saving time starts.",
                    code="nonexistent_local_time",
                ),
            )
            return None
        # An hour that occurs twice (DST end) means its first occurrence (fold=0); the result
        # shows the offset, so the reading is never hidden.
        return aware

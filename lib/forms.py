"""Form helpers shared by every app's views."""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property

# The portal plans and measures service within this century. Dates outside it are typing
# mistakes or probes (year 1, year 9999), and they overflow the deadline arithmetic, which
# adds hours and converts between time zones.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
DATE_RANGE_MESSAGE = (
    f"Enter a date between {EARLIEST_DATE.day} January {EARLIEST_DATE.year} and "
    f"{LATEST_DATE.day} December {LATEST_DATE.year}."
)
SINGLE_LINE_MESSAGE = "Keep this to one line: remove the line breaks."
# Unicode line and paragraph separators break a header as surely as CR and LF.
_LINE_BREAKS = frozenset("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x7f")


class FormRenderer(Jinja2):
    """``settings.FORM_RENDERER``: Django's own form templates (widgets, labels, error lists)
    through Jinja2, which draws the same HTML from Django's Jinja2 copies of them at a
    fraction of the Django template engine's cost per widget (a ticket page holds a dozen
    forms); a template only the Django engine has (the admin's widgets, say) through it."""

    @cached_property
    def fallback(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name: str):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)


def add_service_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's refusal on ``form``: field errors by their field (when the form has
    it), everything else at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def validate_plausible_date(value: date | datetime | None) -> None:
    """Refuse a date (or the date of an instant) outside ``EARLIEST_DATE``–``LATEST_DATE``."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_out_of_range")


def validate_single_line(value: str) -> None:
    """Refuse text with line breaks (or other control characters) where one line belongs, such
    as a ticket subject, which becomes an email subject."""
    if any(ch in _LINE_BREAKS or (ord(ch) < 32 and ch != "\t") for ch in value or ""):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="line_break")


# --- date and time inputs --------------------------------------------------------------------
#
# A browser's date and time pickers read and write one format only (ISO 8601: ``2026-03-30``,
# ``2026-03-30T09:30``); a value in any other shows as an empty field, and saving the form then
# wipes it. Django would write the locale's format (``30/03/2026`` in en-GB). Every date and
# date-time input of the portal uses these widgets.

ISO_DATE = "%Y-%m-%d"
ISO_MINUTE = "%Y-%m-%dT%H:%M"
ISO_SECOND = "%Y-%m-%dT%H:%M:%S"


class DateInput(forms.DateInput):
    """``<input type="date">`` with its value in ISO 8601."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_DATE)


class MonthInput(forms.DateInput):
    """``<input type="month">``: ``2026-03``."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


class DateTimeLocalInput(forms.DateTimeInput):
    """``<input type="datetime-local">`` with its value in ISO 8601, in the zone the form reads
    it in (the active one). To the minute, as people pick times; with the seconds when the
    stored time has any, so that saving a form unchanged never moves it (the picker then steps
    in seconds, else the browser would call the value invalid)."""

    input_type = "datetime-local"

    def format_value(self, value):
        if isinstance(value, datetime):
            return value.strftime(ISO_SECOND if value.second else ISO_MINUTE)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, datetime) and value.second:
            context["widget"]["attrs"].setdefault("step", "1")
        return context


class KeepsUnchangedInstants:
    """Form mixin: a date-time field submitted as the page showed it (to the second) keeps the
    value the form was given as ``initial``, to the microsecond, so that saving a form unchanged
    changes nothing. Forms that edit stored instants use it, with the stored values as
    ``initial`` on POST too."""

    def clean(self):
        data = super().clean()
        changed = set(self.changed_data)
        for name, field in self.fields.items():
            if isinstance(field, forms.DateTimeField) and name in data and name not in changed:
                # Not get_initial_for_field(), which drops the microseconds the input lacks.
                initial = self.initial.get(name)
                if initial is not None:
                    data[name] = initial
        return data


class PlausibleDateField(forms.DateField):
    """A date within ``EARLIEST_DATE``–``LATEST_DATE``, entered through ``DateInput``."""

    widget = DateInput
    default_validators = [validate_plausible_date]


class PlausibleDateTimeField(forms.DateTimeField):
    """An instant whose date is within ``EARLIEST_DATE``–``LATEST_DATE``, entered through
    ``DateTimeLocalInput`` in the active time zone. Input near year 1 or 9999 is refused with
    the range message, never an overflow further down."""

    widget = DateTimeLocalInput
    default_validators = [validate_plausible_date]

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:
            raise ValidationError(DATE_RANGE_MESSAGE, code="date_out_of_range") from None


class SingleLineCharField(forms.CharField):
    """One line of text: line breaks are refused with a clear message."""

    default_validators = [validate_single_line]


def plausible_dates_in_admin() -> dict:
    """``formfield_overrides`` for a ``ModelAdmin`` or inline: every date and date-time field
    refuses dates outside ``EARLIEST_DATE``–``LATEST_DATE`` (a contract signed in year 1, a
    go-live in 9999)."""
    from django.db import models

    return {
        models.DateField: {"validators": [validate_plausible_date]},
        models.DateTimeField: {"validators": [validate_plausible_date]},
    }


# The largest id a database row can have (a 64-bit signed primary key).
ID_MAX = 2**63 - 1


class IdField(forms.IntegerField):
    """A row id from a query string or form: a whole number the database can hold. A larger one
    is refused here; the database would fail on it (SQLite: "Python int too large")."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)

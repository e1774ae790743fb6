import holidays
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html_join

from lib.forms import plausible_dates_in_admin

from . import services
from .models import Calendar, ClosureDay, OpenDay, OpeningWindow, Policy, PolicyTarget


def _minutes(value) -> int:
    """Minutes since midnight; a window closing at 00:00 closes at the end of the day."""
    return value.hour * 60 + value.minute


class OpeningWindowFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        by_day: dict[int, list[tuple[int, int, str]]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or form.errors:
                continue
            opens, closes = data.get("opens"), data.get("closes")
            if opens is None or closes is None:
                continue
            end = 24 * 60 if _minutes(closes) == 0 else _minutes(closes)
            label = f"{opens:%H:%M}–{closes:%H:%M}"
            by_day.setdefault(data["weekday"], []).append((_minutes(opens), end, label))
        for weekday, windows in by_day.items():
            windows.sort()
            for (_, first_end, first), (second_start, _, second) in zip(
                windows, windows[1:], strict=False
            ):
                if second_start < first_end:
                    day = OpeningWindow(weekday=weekday).get_weekday_display()
                    raise ValidationError(
                        f"On {day} the windows {first} and {second} overlap; merge them into one.",
                        code="windows_overlap",
                    )


class OpeningWindowInline(admin.TabularInline):
    model = OpeningWindow
    formset = OpeningWindowFormSet
    extra = 0


class ClosureDayInline(admin.TabularInline):
    formfield_overrides = plausible_dates_in_admin()
    model = ClosureDay
    extra = 0


class OpenDayInline(admin.TabularInline):
    formfield_overrides = plausible_dates_in_admin()
    model = OpenDay
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "time_zone", "holiday_country", "updated_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("updated_at", "public_holidays_this_year")
    inlines = [OpeningWindowInline, ClosureDayInline, OpenDayInline]

    @admin.display(description="Public holidays this year")
    def public_holidays_this_year(self, obj: Calendar) -> str:
        if obj is None or not obj.holiday_country:
            return "–"
        year = timezone.localdate().year
        listed = holidays.country_holidays(
            obj.holiday_country, subdiv=obj.holiday_subdivision or None, years=year
        )
        return format_html_join(
            "", "<div>{} {}</div>", ((f"{d:%a %d %b}", name) for d, name in sorted(listed.items()))
        )

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # Windows and days are separate rows: stamp the calendar so every process rebuilds it.
        services.calendar_mark_changed(calendar=form.instance)


class PolicyTargetInline(admin.TabularInline):
    model = PolicyTarget
    extra = 0


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "calendar", "warning_share", "updated_at")
    list_select_related = ("calendar",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("updated_at",)
    inlines = [PolicyTargetInline]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        services.policy_mark_changed(policy=form.instance)

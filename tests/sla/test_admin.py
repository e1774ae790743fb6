"""Django admin for calendars and policies."""

from datetime import date

import pytest
from django.urls import reverse

from sla import services
from sla.models import Calendar, ClosureDay, Policy
from tests.factories import UserFactory

from .conftest import local


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def calendar_post(windows: list[dict], closures: list[dict] = ()) -> dict:
    return {
        "name": "Night shift",
        "slug": "night-shift",
        "time_zone": "Europe/Helsinki",
        "holiday_country": "FI",
        "holiday_subdivision": "",
        "business_day_minutes": "",
        **formset("windows", windows),
        **formset("closure_days", list(closures)),
        **formset("open_days", []),
    }


def test_the_calendar_admin_pages_render(admin_client, standard):
    assert admin_client.get(reverse("admin:sla_calendar_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:sla_calendar_change", args=[standard.calendar_id]))
    assert page.status_code == 200
    assert "Public holidays this year" in page.content.decode()
    assert (
        admin_client.get(reverse("admin:sla_policy_change", args=[standard.pk])).status_code == 200
    )


def test_a_calendar_with_windows_and_a_closure_day_is_created(admin_client):
    response = admin_client.post(
        reverse("admin:sla_calendar_add"),
        calendar_post(
            [{"weekday": "0", "opens": "18:00", "closes": "00:00"}],
            [{"date": "2026-11-23", "reason": "Inventory"}],
        ),
    )
    assert response.status_code == 302
    calendar = Calendar.objects.get(slug="night-shift")
    assert calendar.windows.count() == 1
    assert calendar.closure_days.get().date == date(2026, 11, 23)


def test_overlapping_windows_on_one_day_are_refused(admin_client):
    response = admin_client.post(
        reverse("admin:sla_calendar_add"),
        calendar_post(
            [
                {"weekday": "0", "opens": "08:00", "closes": "12:00"},
                {"weekday": "0", "opens": "11:00", "closes": "16:00"},
            ]
        ),
    )
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    assert not Calendar.objects.filter(slug="night-shift").exists()


def test_a_window_closing_before_it_opens_is_refused(admin_client):
    response = admin_client.post(
        reverse("admin:sla_calendar_add"),
        calendar_post([{"weekday": "0", "opens": "16:00", "closes": "08:00"}]),
    )
    assert response.status_code == 200
    assert "A window must close after it opens" in response.content.decode()
    assert not Calendar.objects.filter(slug="night-shift").exists()


def test_a_closure_day_added_in_admin_moves_deadlines_at_once(admin_client, standard):
    start = local(2026, 11, 20, 15)

    def p3_due():
        return services.compute_due(
            policy=Policy.objects.get(pk=standard.pk),
            priority="P3",
            kind="initial_response",
            start=start,
        )

    assert p3_due() == local(2026, 11, 23, 15)
    calendar = standard.calendar
    windows = [
        {"id": str(w.pk), "calendar": str(calendar.pk), "weekday": str(w.weekday),
         "opens": "08:00", "closes": "16:30"}
        for w in calendar.windows.all()
    ]  # fmt: skip
    data = {
        "name": calendar.name,
        "slug": calendar.slug,
        "time_zone": calendar.time_zone,
        "holiday_country": calendar.holiday_country,
        "holiday_subdivision": "",
        "business_day_minutes": "",
        **formset("windows", windows, initial=len(windows)),
        **formset("closure_days", [{"date": "2026-11-23", "reason": "Office move"}]),
        **formset("open_days", []),
    }
    response = admin_client.post(reverse("admin:sla_calendar_change", args=[calendar.pk]), data)
    assert response.status_code == 302
    assert ClosureDay.objects.filter(calendar=calendar, date=date(2026, 11, 23)).exists()
    assert p3_due() == local(2026, 11, 24, 15)


def test_a_policy_target_for_business_days_on_24x7_is_refused_in_admin(admin_client, standard):
    targets = [
        {"id": str(t.pk), "policy": str(standard.pk), "priority": t.priority, "kind": t.kind,
         "clock": t.clock, "amount": str(t.amount), "unit": t.unit}
        for t in standard.targets.all()
    ]  # fmt: skip
    targets[0]["clock"], targets[0]["unit"] = "24x7", "business_days"
    data = {
        "slug": standard.slug,
        "name": standard.name,
        "calendar": str(standard.calendar_id),
        "warning_share": "0.8",
        "minor_request_delivery_days": "3",
        "description": standard.description,
        **formset("targets", targets, initial=len(targets)),
    }
    response = admin_client.post(reverse("admin:sla_policy_change", args=[standard.pk]), data)
    assert response.status_code == 200
    assert "Business days only make sense" in response.content.decode()
    assert not standard.targets.filter(unit="business_days", clock="24x7").exists()


def test_a_policy_target_changed_in_admin_applies_at_once(admin_client, standard):
    targets = [
        {"id": str(t.pk), "policy": str(standard.pk), "priority": t.priority, "kind": t.kind,
         "clock": t.clock, "amount": str(t.amount), "unit": t.unit}
        for t in standard.targets.all()
    ]  # fmt: skip
    assert (
        services.target_for(policy=standard, priority="P1", kind="initial_response").seconds == 3600
    )
    for row in targets:
        if (row["priority"], row["kind"]) == ("P1", "initial_response"):
            row["amount"] = "30"
    data = {
        "slug": standard.slug,
        "name": standard.name,
        "calendar": str(standard.calendar_id),
        "warning_share": "0.8",
        "minor_request_delivery_days": "3",
        "description": standard.description,
        **formset("targets", targets, initial=len(targets)),
    }
    response = admin_client.post(reverse("admin:sla_policy_change", args=[standard.pk]), data)
    assert response.status_code == 302
    fresh = services.policy_by_slug("standard")
    assert services.target_for(policy=fresh, priority="P1", kind="initial_response").seconds == 1800

"""Maintenance pages: the list (recurrence and rows), opening a weekly occurrence, marking it
used, moving and cancelling it, scheduling a quarterly window, and who may see what."""

from datetime import UTC

import pytest
from django.urls import reverse

from availability import services
from availability.models import MaintenanceWindow
from tenants.models import DataCentre
from tests.factories import TenantFactory

from .conftest import local, provision, utc

NOW = local(2026, 11, 10, 12, 0)
SATURDAY = utc(2026, 11, 14, 22, 0)
LIST = reverse("availability:maintenance_list")


@pytest.fixture
def window(provisioned, manager):
    return services.maintenance_window_open(
        region="europe", planned_starts_at=SATURDAY, actor=manager
    )


def test_the_list_shows_the_coming_weeks_of_every_region_to_staff(
    provisioned, client, engineers, clock
):
    clock.to(NOW)
    client.force_login(engineers["L1"])
    page = client.get(LIST).content.decode()
    assert "Saturday 14 Nov 2026 22:00 – Sunday 15 Nov 02:00 UTC" in page
    for region in ("europe", "americas", "apac", "africa"):
        assert f'data-region="{region}"' in page
    page = client.get(LIST, {"region": "apac", "month": "2026-12"}).content.decode()
    assert 'data-region="europe"' not in page and "Saturday 5 Dec 2026 15:00" in page


def test_a_bad_filter_is_a_message(provisioned, client, engineers):
    client.force_login(engineers["L1"])
    response = client.get(LIST, {"month": "2026-99", "region": "moon"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_opening_an_occurrence_gives_it_a_row_and_shows_it(provisioned, client, engineers, clock):
    clock.to(NOW)
    client.force_login(engineers["L1"])
    response = client.post(
        reverse("availability:maintenance_open"),
        {
            "region": "europe",
            "planned_starts_at": SATURDAY.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S%z"),
        },
    )
    window = MaintenanceWindow.objects.get()
    assert response["Location"] == reverse("availability:window_detail", args=[window.pk])
    bogus = client.post(
        reverse("availability:maintenance_open"),
        {"region": "europe", "planned_starts_at": "2026-11-14T21:00:00+0000"},
    )
    assert bogus.status_code == 302 and MaintenanceWindow.objects.count() == 1


def test_staff_mark_a_window_used_and_customers_then_see_it(
    window, client, engineers, clock, provisioned
):
    org_a, _ = provisioned
    clock.to(NOW)
    client.force_login(engineers["L2"])
    response = client.post(
        reverse("availability:window_used", args=[window.pk]),
        {"used": "on", "summary": "Security patches"},
    )
    assert response.status_code == 302
    window.refresh_from_db()
    assert window.used and window.summary == "Security patches"
    client.force_login(org_a.contact)
    page = client.get(reverse("availability:window_detail", args=[window.pk])).content.decode()
    assert "Security patches" in page and "History" not in page
    assert client.post(reverse("availability:window_used", args=[window.pk]), {}).status_code == 403


def test_a_move_that_breaks_a_rule_is_explained_and_changes_nothing(window, client, manager, clock):
    clock.to(NOW)
    client.force_login(manager)
    response = client.post(
        reverse("availability:window_move", args=[window.pk]),
        {"starts_at": "2026-11-16T00:00", "ends_at": "2026-11-16T06:00", "reason": "Go-live."},
    )
    assert response.status_code == 400
    assert "reserved for 4 hours; a move cannot make it longer" in response.content.decode()
    window.refresh_from_db()
    assert not window.is_moved and not window.changes.exists()


def test_a_cancellation_needs_a_reason_and_is_kept(window, client, manager, clock):
    clock.to(NOW)
    client.force_login(manager)
    url = reverse("availability:window_cancel", args=[window.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Nothing to install this week."}).status_code == 302
    page = client.get(reverse("availability:window_detail", args=[window.pk])).content.decode()
    assert "Cancelled" in page and "Nothing to install this week." in page


def test_a_window_of_a_region_without_the_customers_tenants_is_not_found(
    provisioned, client, manager
):
    org_a, org_b = provisioned
    provision(TenantFactory(organisation=org_b.org, data_centre=DataCentre.US_WEST))
    americas = services.maintenance_window_open(
        region="americas", planned_starts_at=utc(2026, 11, 15, 4), actor=manager
    )
    client.force_login(org_a.contact)
    assert client.get(reverse("availability:window_detail", args=[americas.pk])).status_code == 404
    client.force_login(org_b.contact)
    assert client.get(reverse("availability:window_detail", args=[americas.pk])).status_code == 200


def test_customers_do_not_get_the_staff_list(provisioned, client):
    org_a, _ = provisioned
    client.force_login(org_a.admin)
    assert client.get(LIST).status_code == 403
    assert client.post(reverse("availability:maintenance_open"), {}).status_code == 403
    assert client.get(reverse("availability:maintenance_schedule")).status_code == 403


def test_a_manager_schedules_a_quarterly_window_and_a_wrong_day_is_explained(
    provisioned, client, manager, engineers, clock
):
    clock.to(NOW)
    url = reverse("availability:maintenance_schedule")
    client.force_login(engineers["L4"])
    assert client.get(url).status_code == 403
    client.force_login(manager)
    response = client.post(
        url, {"region": "europe", "starts_on": "2027-01-13", "summary": "Upgrade", "used": "on"}
    )
    assert response.status_code == 400
    assert (
        "starts on a Friday at 21:00 UTC; 13 January 2027 is a Wednesday"
        in response.content.decode()
    )
    assert not MaintenanceWindow.objects.exists()
    response = client.post(
        url, {"region": "europe", "starts_on": "2027-01-15", "summary": "Upgrade", "used": "on"}
    )
    window = MaintenanceWindow.objects.get()
    assert response["Location"] == reverse("availability:window_detail", args=[window.pk])
    assert (window.kind, window.starts_at, window.used) == ("quarterly", utc(2027, 1, 15, 21), True)

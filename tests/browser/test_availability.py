"""Availability in a real browser: a customer reads on the status page that Europe's maintenance
is on Saturday; a manager records an outage from a P1 and sees the tenant fall below target.

The server's clock is moved (ticking) to a Tuesday 10:00 in Helsinki in the middle of a month a
week or more ahead, so that the weekly window is that Saturday and no month boundary or window
falls inside the outage. It is ahead of the real clock, so the browser keeps the session cookie.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from availability import selectors, services
from availability.models import Outage
from tenants.models import Tenant
from tickets import services as ticket_services
from tickets.models import TicketEvent

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HELSINKI = ZoneInfo("Europe/Helsinki")


def _a_quiet_tuesday() -> datetime:
    day = date.today() + timedelta(days=7)
    while day.weekday() != 1 or not 8 <= day.day <= 21:
        day += timedelta(days=1)
    return datetime.combine(day, time(10, 0), HELSINKI)


@pytest.fixture
def tuesday(org_a):
    services.availability_defaults_ensure()
    when = _a_quiet_tuesday()
    for tenant in (org_a.prod, org_a.test):
        tenant.provisioned_at = when - timedelta(days=400)
        tenant.save()
    with time_machine.travel(when, tick=True):
        yield when


def test_a_customer_sees_that_europes_maintenance_is_on_saturday(
    page, live_server, org_a, manager, tuesday
):
    saturday = datetime.combine(tuesday.date() + timedelta(days=4), time(22, 0), ZoneInfo("UTC"))
    window = services.maintenance_window_open(
        region="europe", planned_starts_at=saturday, actor=manager
    )
    services.maintenance_window_set_used(
        window=window, actor=manager, used=True, summary="Security patches"
    )

    sign_in(page, live_server, org_a.contact.email)
    page.get_by_role("link", name="Status").first.click()
    upcoming = page.locator("#upcoming-maintenance li[data-region=europe]")
    assert "weekly maintenance on Saturday" in upcoming.inner_text()
    assert f"Saturday {saturday.day} {saturday:%b %Y} 22:00" in upcoming.inner_text()
    assert "Security patches" in upcoming.inner_text()
    assert (
        page.locator("[data-tenant=alpha-prod] [data-testid=tenant-state]").inner_text()
        == "Operational"
    )


def test_a_manager_records_an_outage_from_a_p1_and_the_tenant_falls_below_target(
    page, live_server, org_a, manager, tuesday
):
    ticket = ticket_services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="incident",
        priority="P1",
        subject="No inbound calls",
        description="Callers hear silence.",
        now=tuesday - timedelta(hours=2),
    )

    sign_in(page, live_server, manager.email)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    page.get_by_role("link", name="Record outage").click()
    assert page.get_by_label("Linked incidents").input_value() == f"#{ticket.pk}"
    assert page.get_by_label("Full outage").is_checked()
    page.get_by_label("Ended").fill(f"{tuesday:%Y-%m-%d}T09:30")
    page.get_by_label("Cause").fill("Routing database failed over.")
    page.get_by_role("button", name="Record outage").click()
    page.wait_for_url(f"**/tickets/{ticket.pk}/")
    assert "Outage recorded for alpha-prod." in page.locator(".messages").inner_text()
    assert "Full outage of alpha-prod" in page.locator("[data-kind=outage]").inner_text()
    assert TicketEvent.objects.filter(ticket=ticket, kind="outage").count() == 1
    outage = Outage.objects.get()
    assert outage.ends_at - outage.starts_at == timedelta(hours=1, minutes=30)

    page.get_by_role("link", name="Availability").first.click()
    row = page.locator("#availability-table tr[data-tenant=alpha-prod]")
    [month] = selectors.tenant_months(
        selectors.tenant_rows(Tenant.objects.filter(pk=org_a.prod.pk)),
        tuesday.year,
        tuesday.month,
        now=datetime.now(tz=HELSINKI),
    )
    assert month.below_target
    assert row.locator(".bad-text").inner_text() == f"{month.percent} %"
    assert "99.920 %" in row.inner_text()
    assert page.locator("[data-testid=below-count]").inner_text() == "1"
    # The tenant leads the table (below target first) and the other tenant meets it.
    assert (
        page.locator("#availability-table tbody tr").first.get_attribute("data-tenant")
        == "alpha-prod"
    )
    assert page.locator("#availability-table tr[data-tenant=alpha-test] .ok-text").count() == 1

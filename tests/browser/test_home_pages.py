"""Each role's home page in Chromium, at a desktop and a 390 px phone width (issue 10): what
to do next is on it, it fits the window, it passes the accessibility check, and a screenshot of
it is saved under ``SCREENSHOT_DIR`` (``var/screenshots/home-<role>-<width>.png``, kept by CI)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from tickets import services

from .conftest import WIDTHS, assert_accessible, assert_fits, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def day(org_a, org_b, engineers, manager):
    """A working day: a P1 nobody holds, a ticket waiting for the customer, one the L1
    engineer holds with a fresh customer reply, and a P2 handed to L2."""
    cache.clear()
    l1 = engineers["L1"]

    def file(subject, priority="P3", org=org_a, hours_ago=0):
        return services.ticket_create(
            submitter=org.contact,
            tenant_id=org.prod.pk,
            kind="incident",
            priority=priority,
            subject=subject,
            description="Seen in the browser test.",
            now=timezone.now() - timedelta(hours=hours_ago),
        )

    down = file("Inbound calls do not reach agents", "P1", hours_ago=2)
    asked = file("Reports are empty")
    services.ticket_reply(ticket=asked, author=l1, body="Checking the report job.")
    asked.refresh_from_db()
    services.ticket_wait_for_customer(
        ticket=asked, actor=l1, message="Which report do you open?", version=asked.version
    )
    held = file("Chat widget slow", "P2", org=org_b)
    services.ticket_take(ticket=held, actor=l1, version=held.version)
    services.ticket_customer_reply(ticket=held, author=org_b.contact, body="Still slow.")
    escalated = file("Queue statistics wrong", "P2")
    services.ticket_escalate(
        ticket=escalated, actor=manager, reason="Product question", version=escalated.version
    )
    return {"down": down, "asked": asked, "held": held, "escalated": escalated}


def _check(page, name: str) -> None:
    assert_fits(page)
    assert_accessible(page)
    screenshot(page, name)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_customers_home_puts_what_waits_for_them_first(
    open_page, live_server, org_a, day, width
):
    page = open_page(width)
    sign_in(page, live_server, org_a.contact.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha")
    cards = page.locator("#open-tickets > li")
    expect(cards.first).to_have_class("waiting-for-you")
    expect(cards.first).to_contain_text("Reports are empty")
    expect(cards.first).to_contain_text("Support is waiting for your answer")
    expect(page.get_by_text("1 ticket waits for your answer")).to_be_visible()
    expect(page.locator("#open-tickets")).to_contain_text("First answer from support by")
    expect(page.get_by_role("link", name="File a ticket").last).to_be_visible()
    expect(page.locator("#tenant-states")).to_contain_text("alpha-prod")
    _check(page, f"home-customer-{width}")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_engineers_home_shows_critical_work_and_their_own(
    open_page, live_server, engineers, day, width
):
    page = open_page(width)
    sign_in(page, live_server, engineers["L1"].email)
    critical = page.get_by_role("region", name="Unassigned P1 and P2")
    expect(critical).to_contain_text("Inbound calls do not reach agents")
    expect(critical).to_contain_text("Queue statistics wrong")  # at L2: L1 sees it too
    expect(page.get_by_role("region", name="Your tickets", exact=True)).to_contain_text(
        "Chat widget slow"
    )
    expect(page.get_by_role("region", name="Overdue and at risk at L1")).to_contain_text(
        "Inbound calls do not reach agents"
    )
    expect(page.locator("#recent-replies")).to_contain_text("Chat widget slow")
    _check(page, f"home-engineer-{width}")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_managers_home_shows_the_day_by_level(open_page, live_server, manager, day, width):
    page = open_page(width)
    sign_in(page, live_server, manager.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Support today")
    expect(page.locator("#levels tr[data-level=L1]")).to_contain_text("L1 – general support")
    expect(page.locator("#engineer-load")).to_contain_text("Engineer L1")
    expect(page.locator("#compliance-glance")).to_contain_text("SLA compliance in")
    _check(page, f"home-manager-{width}")

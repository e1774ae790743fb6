"""The engineer queue in a real browser: it refreshes itself every minute and when the tab
comes back into focus, keeping its filters, and the take button assigns a ticket."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tickets import services
from tickets.models import Ticket

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def file(org, subject: str, priority: str) -> Ticket:
    return services.ticket_create(
        submitter=org.contact,
        tenant_id=org.prod.pk,
        kind="incident",
        priority=priority,
        subject=subject,
        description="Filed by the browser test.",
    )


def rows(page):
    return page.locator("#queue-results tbody tr[data-ticket]")


def test_the_queue_refreshes_every_minute_and_on_focus_keeping_its_filters(
    page, live_server, org_a, engineers
):
    file(org_a, "Voice channel down", "P1")
    # Timers run on a clock the test moves; the page's requests still go to the live server.
    page.clock.install()
    sign_in(page, live_server, engineers["L1"].email)
    page.goto(f"{live_server.url}{reverse('queue:list')}?priority=P1&q=channel")
    expect(rows(page)).to_have_count(1)

    file(org_a, "Chat channel down", "P1")
    file(org_a, "Chat channel slow", "P3")  # outside the filter
    page.clock.run_for(61_000)
    expect(rows(page)).to_have_count(2)
    expect(page.get_by_role("link", name="Chat channel down")).to_be_visible()
    expect(page.get_by_role("link", name="Chat channel slow")).to_have_count(0)
    assert page.url.endswith("?priority=P1&q=channel")
    expect(page.get_by_label("Search")).to_have_value("channel")

    file(org_a, "Email channel down", "P1")
    page.clock.run_for(15_000)  # not a minute yet: nothing changes by itself
    expect(rows(page)).to_have_count(2)
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(rows(page)).to_have_count(3)
    expect(page.get_by_role("link", name="Email channel down")).to_be_visible()


def test_taking_a_ticket_from_the_queue(page, live_server, org_a, engineers):
    ticket = file(org_a, "Recording missing", "P2")
    sign_in(page, live_server, engineers["L1"].email)
    page.goto(f"{live_server.url}{reverse('queue:list')}")
    page.get_by_role("button", name=f"Take ticket #{ticket.pk}").click()
    page.wait_for_url(f"**{reverse('tickets:detail', args=[ticket.pk])}")
    expect(page.locator(".messages")).to_contain_text("The ticket is yours.")
    ticket.refresh_from_db()
    assert ticket.assignee == engineers["L1"]

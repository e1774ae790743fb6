"""A customer files tickets in a real browser: a P1 on production, and the refusal on a test tenant."""

import pytest

from tickets.models import Ticket

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_files_a_p1_and_cannot_pick_p1_for_a_test_tenant(page, live_server, org_a):
    sign_in(page, live_server, org_a.contact.email)
    page.get_by_role("link", name="File a ticket").first.click()
    # The priority helper is a script file (no inline code under the security policy): the
    # form is usable before it has loaded, so wait for the page's load event.
    page.wait_for_url("**/tickets/new/")
    page.wait_for_load_state("load")
    page.get_by_label("Affected tenant").select_option(label="alpha-test (test)")
    # The browser greys out P1/P2 for a test tenant...
    assert page.locator("#id_priority option[value=P1]").is_disabled()
    page.get_by_label("Affected tenant").select_option(label="alpha-prod (production)")
    assert page.locator("#id_priority option[value=P1]").is_enabled()
    page.get_by_label("Priority (incidents)").select_option("P1")
    page.get_by_label("Subject").fill("Voice channel is down")
    page.get_by_label("Description").fill("No inbound calls reach the agents since 09:40.")
    page.get_by_role("button", name="Submit ticket").click()
    page.wait_for_url("**/tickets/*/")
    assert "was submitted" in page.locator(".messages").inner_text()
    ticket = Ticket.objects.get()
    assert (ticket.priority, ticket.tenant.name) == ("P1", "alpha-prod")
    assert page.locator("[data-target=initial_response-1]").is_visible()


def test_the_server_refuses_p1_on_a_test_tenant_even_if_the_browser_sends_it(
    page, live_server, org_a
):
    sign_in(page, live_server, org_a.contact.email)
    page.goto(f"{live_server.url}/tickets/new/")
    page.get_by_label("Affected tenant").select_option(label="alpha-test (test)")
    # Re-enable the option as a tampered browser would.
    page.evaluate("document.querySelector('#id_priority option[value=P1]').disabled = false")
    page.get_by_label("Priority (incidents)").select_option("P1")
    page.get_by_label("Subject").fill("Test tenant broken")
    page.get_by_label("Description").fill("Trying P1 on a test tenant.")
    page.get_by_role("button", name="Submit ticket").click()
    assert (
        "P1 is reserved for incidents on production tenants"
        in page.locator("#id_priority_error").inner_text()
    )
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_chosen_p1_is_never_changed_silently_when_the_tenant_becomes_a_test_one(
    open_page, live_server, org_a, width
):
    page = open_page(width)
    sign_in(page, live_server, org_a.contact.email)
    page.goto(f"{live_server.url}/tickets/new/")
    page.wait_for_load_state("load")
    page.get_by_label("Affected tenant").select_option(label="alpha-prod (production)")
    page.get_by_label("Priority (incidents)").select_option("P1")
    page.get_by_label("Affected tenant").select_option(label="alpha-test (test)")
    # The choice stands, and the page says at once why it cannot be filed so.
    assert page.get_by_label("Priority (incidents)").input_value() == "P1"
    notice = page.locator("#id_priority_notice")
    assert notice.is_visible()
    assert "P1 is reserved for incidents on production tenants; alpha-test is a test tenant" in (
        notice.inner_text()
    )
    assert page.get_by_label("Priority (incidents)").get_attribute("aria-invalid") == "true"
    page.get_by_label("Subject").fill("Test tenant broken")
    page.get_by_label("Description").fill("Agents cannot log in to the test tenant.")
    page.get_by_role("button", name="Submit ticket").click()
    page.wait_for_load_state("load")
    assert "P1 is reserved" in page.locator("#id_priority_error").inner_text()
    assert Ticket.objects.count() == 0

    # Choosing an allowed priority clears the notice and files exactly that.
    page.get_by_label("Affected tenant").select_option(label="alpha-test (test)")
    page.get_by_label("Priority (incidents)").select_option("P3")
    assert not page.locator("#id_priority_notice").is_visible()
    page.get_by_role("button", name="Submit ticket").click()
    page.wait_for_url("**/tickets/*/")
    ticket = Ticket.objects.get()
    assert (ticket.priority, ticket.tenant.name) == ("P3", "alpha-test")

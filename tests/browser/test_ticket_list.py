"""The ticket list in the browser: its page links, on a desktop and on a phone."""

import pytest
from django.urls import reverse

from tickets import services

from .conftest import WIDTHS, assert_accessible, assert_fits, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_customer_pages_through_a_long_list_on_any_screen(open_page, live_server, org_a, width):
    for n in range(27):
        services.ticket_create(
            submitter=org_a.contact,
            tenant_id=org_a.prod.pk,
            kind="incident",
            priority=("P1", "P2", "P3", "P4")[n % 4],
            subject=f"Queue callback number {n:02} rings the wrong agent group",
            description="Seen in the browser test.",
        )
    page = open_page(width)
    sign_in(page, live_server, org_a.contact.email)
    page.goto(live_server.url + reverse("tickets:list") + "?per_page=10&kind=incident")
    assert page.locator("tbody tr").count() == 10
    assert_fits(page)
    assert_accessible(page)
    pages = page.get_by_role("navigation", name="Pages")
    assert pages.locator("[aria-current=page]").inner_text() == "1"
    pages.get_by_role("link", name="next").click()
    assert pages.locator("[aria-current=page]").inner_text() == "2"
    assert "kind=incident" in page.url and "per_page=10" in page.url
    pages.get_by_role("link", name="3", exact=True).click()
    assert page.locator("tbody tr").count() == 7
    assert_fits(page)
    screenshot(page, f"ticket-list-{width}")

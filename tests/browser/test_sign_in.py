"""People sign in through the real login form in Chromium and land on the home of their role."""

import pytest
from playwright.sync_api import expect

from tenants.demo import DEMO_PASSWORD

from .conftest import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_contact_sees_their_organisations_tenants(page, live_server, org_a, org_b):
    sign_in(page, live_server, "contact@alpha.example", DEMO_PASSWORD)

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha")
    tenants = page.get_by_role("region", name="Your tenants")
    expect(tenants.get_by_role("rowheader", name="alpha-prod")).to_be_visible()
    expect(tenants.get_by_role("rowheader", name="alpha-test")).to_be_visible()
    expect(page.get_by_text("beta-prod")).to_have_count(0)
    # The stylesheet was served, so the page is laid out as designed.
    expect(page.locator(".site-header")).to_have_css("display", "flex")


def test_an_engineer_sees_the_support_home(page, live_server, engineers, org_a):
    sign_in(page, live_server, "l3@support.example", DEMO_PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_have_text("Support · L3 – technical operations")
    expect(page.get_by_role("heading", name="Your tickets", exact=True)).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts")
    ).to_have_count(0)


def test_a_contact_signs_out_and_an_engineer_signs_in_on_the_same_browser(
    page, live_server, org_a, engineers
):
    sign_in(page, live_server, "admin@alpha.example", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha")
    sign_out(page)

    sign_in(page, live_server, "l1@support.example", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Support · L1 – general support")


def test_a_wrong_password_keeps_the_person_on_the_sign_in_page(page, live_server, org_a):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email address").fill("contact@alpha.example")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct email address")
    expect(page).to_have_url(live_server.url + "/accounts/login/")

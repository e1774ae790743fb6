"""The API's documentation and key pages in a real browser: Swagger UI renders the schema under
the portal's strict Content-Security-Policy and passes the accessibility check, and a customer admin makes a key that a script
then uses."""

import json
import urllib.request

import pytest
from django.urls import reverse

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _csp_violations(page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return seen


def test_the_api_docs_render_under_the_strict_csp(page, live_server):
    violations = _csp_violations(page)
    page.goto(live_server.url + reverse("api:docs"))
    page.locator(".opblock-summary-path", has_text="/api/v1/tickets/").first.wait_for()
    assert page.locator(".opblock").count() >= 20
    assert violations == []


def test_the_api_docs_pass_the_accessibility_check_with_an_operation_open(page, live_server):
    page.goto(live_server.url + reverse("api:docs"))
    page.locator(".opblock-summary-path", has_text="/api/v1/tickets/").first.wait_for()
    assert_accessible(page)
    page.locator("#operations-tickets-tickets_create .opblock-summary-control").click()
    page.locator("#operations-tickets-tickets_create pre.microlight").first.wait_for()
    assert_accessible(page)


def test_a_customer_admin_makes_a_key_that_a_script_then_uses(page, live_server, org_a):
    violations = _csp_violations(page)
    sign_in(page, live_server, org_a.admin.email)
    page.get_by_role("link", name="API", exact=True).click()
    page.get_by_role("link", name="Create a key").click()
    page.get_by_label("Name").fill("Nagios on mon-01")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create the key").click()
    key = page.locator("#new-key").inner_text()
    request = urllib.request.Request(
        live_server.url + reverse("api:me"), headers={"Authorization": f"Bearer {key}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        me = json.load(answer)
    assert (me["name"], me["scope"], me["organisation"]) == (
        "Nagios on mon-01",
        "read_write",
        "alpha",
    )
    page.get_by_role("link", name="Done").click()
    assert page.get_by_role("cell", name="Nagios on mon-01").is_visible()
    assert key not in page.content()
    assert violations == []

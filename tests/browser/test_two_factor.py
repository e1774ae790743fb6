"""Two-factor sign-in in Chromium: an engineer sets up an authenticator on first sign-in, keeps
the recovery codes, and signs in with a code next time; no page breaks the security policy."""

import base64
import re
from urllib.parse import urlparse

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tenants.demo import DEMO_PASSWORD

from ..two_factor import totp_code
from .conftest import SCREENSHOT_DIR, enter_code, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = SCREENSHOT_DIR


def _collect_csp_violations(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(str(error)))
    return violations


def test_an_engineer_sets_up_two_factor_on_first_sign_in_and_uses_it_next_time(
    page, live_server, engineers
):
    violations = _collect_csp_violations(page)
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill("l1@support.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.locator("figure.qr svg")).to_be_visible()
    readable = page.get_by_test_id("totp-key").inner_text().replace(" ", "")
    key = base64.b32decode(readable + "=" * (-len(readable) % 8)).hex()
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("That code does not match")).to_be_visible()

    page.get_by_label("Code from the app").fill(totp_code(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in is on")
    codes = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{5}-[a-z2-7]{5}", c) for c in codes)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Support · L1 – general support")
    sign_out(page)

    # Next time: the password, then the code the app shows now.
    page.get_by_label("Email address").fill("l1@support.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    enter_code(page, totp_code(TOTPDevice.objects.get(user=engineers["L1"])))
    expect(page.get_by_role("heading", level=1)).to_have_text("Support · L1 – general support")
    sign_out(page)

    # With a recovery code instead of the phone.
    page.get_by_label("Email address").fill("l1@support.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    enter_code(page, codes[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("Support · L1 – general support")
    assert violations == []


MAIN_PAGES = {
    "contact@alpha.example": ["home", "tickets:list", "tickets:create", "accounts:security"],
    "admin@alpha.example": ["tenants:contact_list", "tenants:contact_create"],
    "l1@support.example": [
        "home",
        "queue:list",
        "tickets:list",
        "sla:calculator",
        "onboarding:index",
    ],
    "manager@support.example": ["queue:list", "audit:list", "accounts:manage"],
}


@pytest.mark.parametrize("email", MAIN_PAGES)
def test_the_main_pages_of_each_role_break_no_security_policy(
    page, live_server, org_a, engineers, manager, email
):
    violations = _collect_csp_violations(page)
    sign_in(page, live_server, email)
    for name in MAIN_PAGES[email]:
        page.goto(live_server.url + reverse(name))
        expect(page.locator("main")).to_be_visible()
        # The stylesheet applied (a blocked one would leave the header unstyled).
        expect(page.locator(".site-header")).to_have_css("display", "flex")
    assert violations == [], violations


def test_the_sign_in_and_two_factor_pages_at_desktop_and_phone_width(page, live_server, engineers):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.url + reverse("login"))
        page.screenshot(path=str(SCREENSHOTS / f"login-{width}.png"), full_page=True)
        page.get_by_label("Email address").fill("l2@support.example")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: urlparse(url).path == reverse("accounts:mfa_setup"))
        page.screenshot(path=str(SCREENSHOTS / f"two-factor-setup-{width}.png"), full_page=True)
        # Nothing sticks out sideways on a phone.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (width, overflow)
        page.context.clear_cookies()

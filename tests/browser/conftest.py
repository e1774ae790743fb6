"""Headless Chromium through Playwright's sync API, against pytest-django's live server.

Browser tests take ``page`` (a fresh browser context per test) and ``live_server``, are marked
``browser`` and ``django_db(transaction=True)``, and create their users inside the test. Without
``/usr/bin/chromium`` they are skipped, unless ``PORTAL_REQUIRE_BROWSER=1`` (set by ``.ci/run``)
makes the absence a failure. ``sign_in`` and ``sign_out`` are the shared steps; import them
with ``from .conftest import sign_in``.

Pages are checked at two widths (``WIDTHS``: a desktop and a 390 px phone; ``open_page(width)``
opens a fresh browser context at one): ``assert_fits`` fails when a page scrolls sideways,
``assert_accessible`` when axe-core finds a serious or critical violation, and ``screenshot``
saves the page under ``SCREENSHOT_DIR`` (``var/screenshots/``, kept by CI as artifacts).
"""

import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.urls import reverse

from tenants.demo import DEMO_PASSWORD
from tenants.models import User

from ..two_factor import enrol_authenticator, needs_second_factor, totp_code

# Playwright's sync API runs an event loop in the test thread; the ORM calls that tests and
# fixtures make beside it are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Pages of a local live server answer in milliseconds; a slow step means a broken page.
DEFAULT_TIMEOUT_MS = 10_000
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SCREENSHOT_DIR = Path(
    os.environ.get("PORTAL_SCREENSHOT_DIR")
    or Path(__file__).resolve().parents[2] / "var" / "screenshots"
)
# axe-core's impact levels that fail a page; "moderate" and "minor" are reported only.
FAILING_IMPACTS = ("serious", "critical")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PORTAL_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def open_page(browser):
    """``open_page("phone")``: a page in a fresh browser context of that width."""
    contexts = []

    def open_(width: str):
        context = browser.new_context(viewport=WIDTHS[width])
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def assert_fits(page) -> None:
    """The page does not scroll sideways: nothing is wider than the window."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide in a {widths[1]} px window"


def accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in FAILING_IMPACTS
    ]


def assert_accessible(page) -> None:
    violations = accessibility_violations(page)
    assert not violations, f"{page.url}:\n" + "\n".join(violations)


def screenshot(page, name: str) -> Path:
    """Save the whole page as ``SCREENSHOT_DIR/<name>.png``."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, live_server, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real login form and wait until the portal has left it. People who
    use a second factor (all support staff) get an authenticator enrolled if they have none,
    and the code it shows is entered on the two-factor page."""
    user = User.objects.get(email__iexact=email)
    device = enrol_authenticator(user) if needs_second_factor(user) else None
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: urlparse(url).path != reverse("login"))
    if device is not None:
        enter_code(page, totp_code(device))


def enter_code(page, code: str) -> None:
    """Enter ``code`` on the two-factor page and wait until the portal has left it."""
    verify = reverse("accounts:mfa_verify")
    page.wait_for_url(lambda url: urlparse(url).path == verify)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: urlparse(url).path != verify)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: urlparse(url).path == reverse("login"))

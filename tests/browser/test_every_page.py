"""Every page each role can open, in Chromium at a desktop and a 390 px phone width: nothing
scrolls sideways, and axe-core finds no serious or critical accessibility violation (issue 10,
item 6).

The pages are every routed URL the role may GET (``tests/test_access_expectations.EXPECTED``
says which answer 200), with organisation A's objects in their URLs
(``tests/routes.OBJECT_BUILDERS``), plus the Django admin pages an administrator works in. A
route added later joins the walk by itself.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding.models import OnboardingChecklist
from sla.models import Policy
from tenants.demo import DEMO_PASSWORD
from tickets import services

from ..routes import OBJECT_BUILDERS, all_routes, missing_builders, url_of
from ..test_access_expectations import EXPECTED
from .conftest import WIDTHS, accessibility_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {
    "contact_a": lambda people: people["org_a"].contact,
    "customer_admin": lambda people: people["org_a"].admin,
    "L1": lambda people: people["engineers"]["L1"],
    "manager": lambda people: people["manager"],
    "superuser": lambda people: people["superuser"],
}
# The API's one page for people: its documentation.
API_PAGES = {"api:docs"}
# The admin pages an administrator works in (Django's own pages, styled by Django): the index,
# lists and the change forms of what they configure.
ADMIN_PAGES = (
    ("admin:index", None),
    ("admin:tenants_organisation_changelist", None),
    ("admin:tenants_organisation_change", lambda p: p["org_a"].org.pk),
    ("admin:tenants_tenant_change", lambda p: p["org_a"].prod.pk),
    ("admin:tenants_user_change", lambda p: p["org_a"].contact.pk),
    ("admin:sla_policy_changelist", None),
    ("admin:sla_policy_change", lambda p: Policy.objects.get(slug="standard").pk),
    ("admin:sla_calendar_change", lambda p: Policy.objects.get(slug="standard").calendar_id),
    (
        "admin:onboarding_onboardingchecklist_change",
        lambda p: OBJECT_BUILDERS["checklist_id"](p["org_a"]),
    ),
    ("admin:tickets_ticket_changelist", None),
)


@pytest.fixture
def people(org_a, org_b, engineers, manager, superuser):
    a = org_a
    # Every object of A the routes name, and some history on them, so pages show content.
    for name in OBJECT_BUILDERS:
        OBJECT_BUILDERS[name](a)
    ticket = a.ticket
    services.ticket_reply(ticket=ticket, author=engineers["L1"], body="Looking into it.")
    ticket.refresh_from_db()
    services.ticket_wait_for_customer(
        ticket=ticket, actor=engineers["L1"], message="Which agents?", version=ticket.version
    )
    checklist = OnboardingChecklist.objects.get(pk=OBJECT_BUILDERS["checklist_id"](a))
    checklist.planned_go_live_on = date.today() + timedelta(days=60)
    checklist.save()
    a.prod.provisioned_at = timezone.now() - timedelta(days=40)
    a.prod.save()
    superuser.set_password(DEMO_PASSWORD)  # the fixture's administrator has none
    superuser.save()
    return {
        "org_a": a,
        "org_b": org_b,
        "engineers": engineers,
        "manager": manager,
        "superuser": superuser,
    }


def _pages(role: str, people) -> list[str]:
    urls = []
    for route in all_routes():
        if route.name not in EXPECTED or missing_builders(route):
            continue
        if EXPECTED[route.name][0][role] != 200:
            continue
        if route.name == "tickets:attachment":
            continue  # a download, not a page
        if route.name.startswith("api:") and route.name not in API_PAGES:
            continue  # JSON (the schema is a YAML download), not a page
        url = url_of(route, people["org_a"])
        urls.append(url)
    if role == "superuser":
        urls += [reverse(name, args=[pk(people)] if pk else []) for name, pk in ADMIN_PAGES]
    return urls


def _check(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("load")
    problems = []
    scroll, window = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll > window:
        problems.append(f"{url}: {scroll} px wide in a {window} px window")
    problems += [f"{url}: {v}" for v in accessibility_violations(page)]
    return problems


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_fits_the_window_and_passes_the_accessibility_check(
    open_page, live_server, people, role, width
):
    page = open_page(width)
    sign_in(page, live_server, ROLES[role](people).email)
    pages = _pages(role, people)
    assert len(pages) >= 5, pages
    problems = []
    for url in pages:
        problems += _check(page, live_server.url + url)
    assert not problems, "\n".join(problems)

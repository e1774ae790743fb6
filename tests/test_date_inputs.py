"""Every date and date-time input the portal draws carries its value in the one format a
browser's picker reads (ISO 8601). A value in the locale's format (``30/03/2026``) shows as an
empty field, and saving the form then wiped the date (issue 10, defect 1).

The page walk covers every routed page each role may open, with organisation A's objects
filled in so that the inputs have stored values to show; the browser test
(``tests/browser/test_date_round_trip.py``) then saves each form unchanged.
"""

import re
from datetime import UTC, date, datetime

import pytest
from django.contrib.admin import site
from django.urls import reverse

from availability.models import Outage
from lib.forms import DateTimeLocalInput
from onboarding.models import OnboardingChecklist

from .forms_on_pages import forms_of
from .roles import client_for
from .routes import OBJECT_BUILDERS, all_routes, missing_builders, url_of
from .test_access_expectations import EXPECTED

FORMATS = {
    "date": re.compile(r"\d{4}-\d\d-\d\d"),
    "month": re.compile(r"\d{4}-\d\d"),
    "datetime-local": re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?"),
}
ROLES = ("contact_a", "customer_admin", "L1", "manager", "superuser")


@pytest.fixture
def people(org_a, org_b, engineers, manager, superuser):
    checklist = OnboardingChecklist.objects.get(pk=OBJECT_BUILDERS["checklist_id"](org_a))
    checklist.planned_go_live_on = date(2027, 3, 30)
    checklist.save()
    checklist.steps.filter(code="email_configuration").update(due_on=date(2027, 1, 15))
    outage = Outage.objects.get(pk=OBJECT_BUILDERS["outage_id"](org_a))
    outage.ends_at = datetime(2026, 11, 17, 10, 30, 15, 123456, tzinfo=UTC)
    outage.save()
    return {
        "org_a": org_a,
        "org_b": org_b,
        "engineers": engineers,
        "manager": manager,
        "superuser": superuser,
    }


def _date_inputs(html: str, path: str):
    for form in forms_of(html, path):
        for field in form.fields.values():
            if field.kind in FORMATS:
                yield field


def test_every_date_input_of_every_page_is_written_in_iso_8601(people):
    routes = [r for r in all_routes() if r.name in EXPECTED and not missing_builders(r)]
    seen = set()
    for role in ROLES:
        client = client_for(role, **people)
        for route in routes:
            if EXPECTED[route.name][0][role] != 200:
                continue
            url = url_of(route, people["org_a"])
            response = client.get(url)
            if "html" not in response.get("Content-Type", ""):
                continue
            for field in _date_inputs(response.content.decode(), url):
                for value in field.options:
                    assert FORMATS[field.kind].fullmatch(value), (role, url, field.name, value)
                    seen.add((route.name, field.name))
    # The walk met the stored dates it is about (so it can fail).
    assert {
        ("onboarding:detail", "planned_go_live"),
        ("onboarding:step_edit", "due_on"),
        ("availability:outage_detail", "starts_at"),
        ("availability:outage_detail", "ends_at"),
    } <= seen


def test_the_admin_writes_its_dates_as_it_reads_them(client, superuser, org_a):
    org_a.org.contract_signed_on = date(2026, 3, 2)
    org_a.org.go_live_on = date(2026, 3, 30)
    org_a.org.save()
    client.force_login(superuser)
    url = reverse("admin:tenants_organisation_change", args=[org_a.org.pk])
    html = client.get(url).content.decode()
    assert 'value="30/03/2026"' in html
    # The admin's date inputs are text inputs in the locale's format, which it also reads.
    assert 'type="date"' not in html


def test_a_stored_time_with_seconds_is_shown_with_them():
    widget = DateTimeLocalInput()
    html = widget.render("at", datetime(2026, 11, 17, 10, 30, 15))
    assert 'value="2026-11-17T10:30:15"' in html and 'step="1"' in html
    assert 'value="2026-11-17T10:30"' in widget.render("at", datetime(2026, 11, 17, 10, 30))


def test_every_model_admin_uses_the_precise_date_time_input():
    from lib.admin_widgets import PreciseAdminSplitDateTime

    for model_admin in site._registry.values():
        overrides = model_admin.formfield_overrides
        widgets = [v.get("widget") for k, v in overrides.items() if k.__name__ == "DateTimeField"]
        assert widgets == [PreciseAdminSplitDateTime], model_admin

"""Whatever arrives in a query string or a form, the availability pages answer with a page or a
clear refusal, never a server error, and a refused form saves nothing."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from availability.models import MaintenanceSubscription, MaintenanceWindow, Outage

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Plausible values next to junk: month-like strings, ids, dates, flags, long and odd text.
junk = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"-?\d{1,6}-\d{1,3}", fullmatch=True),
    st.from_regex(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", fullmatch=True),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", "on", "true", "1", "0", "europe", "full", "#1", "2026-10-25T03:30"]),
)


def _params(names):
    return st.dictionaries(st.sampled_from(names), junk, max_size=len(names))


def _strip_nul(data: dict) -> dict:
    # The test client refuses NUL bytes before any view sees them, as browsers never send them.
    return {k: v.replace("\x00", "") for k, v in data.items()}


@pytest.fixture
def staff_client(provisioned, manager):
    client = Client()
    client.force_login(manager)
    return client


@pytest.fixture
def customer_client(provisioned):
    client = Client()
    client.force_login(provisioned[0].admin)
    return client


PAGES = {
    "availability:month": [
        "month",
        "by",
        "organisation",
        "region",
        "kind",
        "below",
        "page",
        "sort",
        "_export",
    ],
    "availability:status": ["month", "page"],
    "availability:outage_list": [
        "tenant",
        "organisation",
        "region",
        "scope",
        "ongoing",
        "since",
        "page",
        "sort",
    ],
    "availability:maintenance_list": ["month", "region", "kind", "used", "page"],
    "availability:statement_index": ["organisation", "month"],
    "availability:outage_create": ["ticket", "tenant"],
}


@pytest.mark.parametrize("name", PAGES)
@FUZZ
@given(data=st.data())
def test_query_strings_never_cause_a_server_error(staff_client, name, data):
    params = _strip_nul(data.draw(_params(PAGES[name])))
    response = staff_client.get(reverse(name), params)
    assert response.status_code < 500, (name, params)


@FUZZ
@given(params=_params(["month", "below", "region", "kind", "_export", "sort", "page"]))
def test_the_customers_month_page_never_fails(customer_client, params):
    response = customer_client.get(reverse("availability:month"), _strip_nul(params))
    assert response.status_code < 500, params


OUTAGE_FIELDS = ["tenants", "data_centre", "scope", "starts_at", "ends_at", "cause", "tickets"]


@FUZZ
@given(form=_params(OUTAGE_FIELDS))
def test_the_outage_form_refuses_junk_and_saves_nothing(staff_client, form):
    before = Outage.objects.count()
    response = staff_client.post(reverse("availability:outage_create"), _strip_nul(form))
    assert response.status_code in (302, 400), form
    if response.status_code == 400:
        assert Outage.objects.count() == before


@FUZZ
@given(form=_params(["region", "starts_on", "summary", "used"]))
def test_the_quarterly_form_refuses_junk_and_saves_nothing(staff_client, form):
    before = MaintenanceWindow.objects.count()
    response = staff_client.post(reverse("availability:maintenance_schedule"), _strip_nul(form))
    assert response.status_code in (302, 400), form
    if response.status_code == 400:
        assert MaintenanceWindow.objects.count() == before


@FUZZ
@given(form=_params(["region", "planned_starts_at"]))
def test_opening_a_window_refuses_junk(staff_client, form):
    before = MaintenanceWindow.objects.count()
    response = staff_client.post(reverse("availability:maintenance_open"), _strip_nul(form))
    assert response.status_code == 302, form
    if MaintenanceWindow.objects.count() != before:
        assert response["Location"].startswith("/availability/maintenance/")


@FUZZ
@given(form=_params(["subscribed"]))
def test_the_notice_switch_refuses_junk(customer_client, form):
    before = list(MaintenanceSubscription.objects.values_list("subscribed", "changed_at"))
    response = customer_client.post(reverse("availability:notices"), _strip_nul(form))
    assert response.status_code in (302, 400), form
    if response.status_code == 400:
        assert (
            list(MaintenanceSubscription.objects.values_list("subscribed", "changed_at")) == before
        )


def test_ids_beyond_64_bits_are_refused_not_sent_to_the_database(staff_client):
    huge = str(2**63)
    response = staff_client.post(reverse("availability:outage_create"), {"tenants": huge})
    assert response.status_code == 400
    assert f"“{huge}” is not a valid value." in response.content.decode()
    response = staff_client.get(reverse("availability:statement_index"), {"organisation": huge})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    response = staff_client.get(reverse("availability:outage_list"), {"organisation": huge})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()

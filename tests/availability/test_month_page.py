"""The month page (``/availability/``): every tenant for support staff, below target first, per
organisation or region, as CSV; a customer's own tenants with what is behind each figure."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from availability.models import Outage
from tenants.models import DataCentre
from tests.factories import OrganisationFactory, TenantFactory, UserFactory

from .conftest import local, provision, utc

URL = reverse("availability:month")
LATER = local(2026, 3, 1, 12, 0)


def _down(tenant, minutes, day=14, scope="full"):
    start = utc(2026, 1, day, 9)
    return Outage.objects.create(
        tenant=tenant,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        scope=scope,
        cause="x",
    )


@pytest.fixture
def january(provisioned, clock):
    org_a, org_b = provisioned
    _down(org_a.prod, 40)  # 99.908 %: below
    _down(org_b.prod, 10)  # 99.977 %
    _down(org_b.test, 300, scope="partial")  # not counted
    clock.to(LATER)
    return org_a, org_b


def _rows(response) -> list[str]:
    page = response.content.decode()
    return [part.split('"', 1)[0] for part in page.split('data-tenant="')[1:]]


def test_staff_see_every_tenant_below_target_first(january, client, manager):
    client.force_login(manager)
    response = client.get(URL, {"month": "2026-01"})
    assert response.status_code == 200
    assert _rows(response) == ["alpha-prod", "beta-prod", "alpha-test", "beta-test"]
    page = response.content.decode()
    assert '<span class="bad-text">99.908 %</span>' in page
    assert 'data-testid="below-count">1<' in page
    assert "Availability in January 2026" in page and "(so far)" not in page


def test_below_target_only(january, client, engineers):
    client.force_login(engineers["L2"])
    assert _rows(client.get(URL, {"month": "2026-01", "below": "on"})) == ["alpha-prod"]


def test_a_customer_sees_only_their_tenants_and_the_outages_behind_them(january, client):
    org_a, org_b = january
    client.force_login(org_a.contact)
    response = client.get(URL, {"month": "2026-01", "organisation": org_b.org.pk})
    assert _rows(response) == ["alpha-prod", "alpha-test"]
    page = response.content.decode()
    assert "Behind each figure" in page and "40 min" in page
    assert "Sunday 4 Jan 00:00 – 04:00 EET" in page  # a window behind the figure
    assert "beta" not in page


def test_per_organisation_and_per_region(january, client, manager):
    client.force_login(manager)
    page = client.get(URL, {"month": "2026-01", "by": "organisation"}).content.decode()
    # Alpha: 43,640 + 43,680 available of 2 × 43,680 scheduled = 99.954 %.
    assert ">Alpha</a>" in page and "99.954 %" in page
    page = client.get(URL, {"month": "2026-01", "by": "region"}).content.decode()
    # Europe: (4 × 43,680 − 50) / (4 × 43,680) = 99.971 %.
    assert ">Europe</a>" in page and "99.971 %" in page


def test_the_organisation_filter_keeps_its_choice(january, client, manager):
    _, org_b = january
    client.force_login(manager)
    response = client.get(URL, {"month": "2026-01", "organisation": org_b.org.pk})
    assert _rows(response) == ["beta-prod", "beta-test"]
    assert f'<option value="{org_b.org.pk}" selected>Beta</option>' in response.content.decode()
    response = client.get(URL, {"month": "2026-01", "organisation": "99999"})
    assert "Select a valid choice" in response.content.decode() and _rows(response) == []


def test_a_bad_month_is_a_clear_message_not_an_error(january, client, manager):
    client.force_login(manager)
    for bad in ("2026-13", "yesterday", "1850-01"):
        response = client.get(URL, {"month": bad})
        assert response.status_code == 200
        page = response.content.decode()
        assert 'class="error" role="alert"' in page
        assert _rows(response) == []


def test_the_csv_has_every_row_and_neutralises_formulas(january, client, manager):
    org_a, _ = january
    org_a.org.name = '=HYPERLINK("http://x")'
    org_a.org.save()
    client.force_login(manager)
    response = client.get(URL, {"month": "2026-01", "_export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="availability-2026-01-tenant.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["Tenant", "Organisation", "Region", "Kind", "Availability"]
    assert rows[1][:5] == [
        "alpha-prod",
        '\'=HYPERLINK("http://x")',
        "Europe",
        "Production",
        "99.908",
    ]
    assert len(rows) == 5


def test_the_page_takes_few_queries_for_many_tenants(
    defaults, client, clock, manager, django_assert_max_num_queries
):
    for n in range(60):
        tenant = TenantFactory(
            organisation=OrganisationFactory(), data_centre=list(DataCentre)[n % 4]
        )
        provision(tenant)
        _down(tenant, 5 + n, day=3 + n % 25)
    clock.to(LATER)
    client.force_login(manager)
    client.get(URL, {"month": "2026-01"})  # the navigation's counts are cached for every page
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"month": "2026-01"})
    assert len(_rows(response)) == 50  # one page


def test_people_without_a_role_are_refused(db, client):
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403


def test_the_columns_sort_both_ways(january, client, manager):
    client.force_login(manager)
    by = {"month": "2026-01"}
    assert _rows(client.get(URL, {**by, "sort": "tenant"})) == [
        "alpha-prod",
        "alpha-test",
        "beta-prod",
        "beta-test",
    ]
    assert _rows(client.get(URL, {**by, "sort": "-percent"})) == [
        "beta-test",  # 100 % (its partial outage does not count), ties by name descending
        "alpha-test",
        "beta-prod",
        "alpha-prod",
    ]
    assert _rows(client.get(URL, {**by, "sort": "-unavailable"}))[:2] == ["alpha-prod", "beta-prod"]

"""The status page (``/status/``): a customer's tenants and their regions' announced maintenance,
every region for support staff, current states and the 90-day strip, in few queries."""

from datetime import timedelta

import pytest
from django.urls import reverse

from availability import services
from availability.models import Outage
from tenants.models import DataCentre
from tests.factories import OrganisationFactory, TenantFactory, UserFactory

from .conftest import local, provision, utc

NOW = local(2026, 11, 11, 12, 0)  # Wednesday
SATURDAY = utc(2026, 11, 14, 22, 0)
AMERICAS_SUNDAY = utc(2026, 11, 15, 4, 0)
URL = reverse("availability:status")


def _use(region, start, manager, summary=""):
    window = services.maintenance_window_open(region=region, planned_starts_at=start, actor=manager)
    return services.maintenance_window_set_used(
        window=window, actor=manager, used=True, summary=summary, now=utc(2026, 11, 2)
    )


@pytest.fixture
def announced(provisioned, manager):
    _use("europe", SATURDAY, manager, "Security patches")
    _use("americas", AMERICAS_SUNDAY, manager, "Americas only")
    return provisioned


def test_a_customer_sees_that_europes_maintenance_is_on_saturday(announced, client, clock):
    org_a, _ = announced
    clock.to(NOW)
    client.force_login(org_a.contact)
    page = client.get(URL).content.decode()
    assert "weekly maintenance on <strong>Saturday</strong>" in page
    assert "Saturday 14 Nov 2026 22:00 – Sunday 15 Nov 02:00 UTC" in page
    assert "Security patches" in page
    # Not their region; and reserved windows that are not used are not announced.
    assert "Americas only" not in page
    assert "Saturday 21 Nov" not in page
    assert 'data-tenant="alpha-prod"' in page and 'data-tenant="beta-prod"' not in page


def test_staff_see_every_region(announced, client, clock, engineers):
    clock.to(NOW)
    client.force_login(engineers["L1"])
    page = client.get(URL).content.decode()
    assert "Security patches" in page and "Americas only" in page
    for region in ("Americas", "Europe", "APAC", "Africa"):
        assert f'data-region="{region}"' in page


def _state(page: str, tenant: str) -> str:
    card = page.split(f'data-tenant="{tenant}"', 1)[1]
    return card.split('data-testid="tenant-state">', 1)[1].split("<", 1)[0]


def test_current_states_put_an_outage_before_maintenance(announced, client, clock, engineers):
    org_a, _ = announced
    client.force_login(org_a.contact)
    clock.to(SATURDAY + timedelta(hours=1))
    page = client.get(URL).content.decode()
    assert _state(page, "alpha-prod") == "Maintenance"
    Outage.objects.create(
        tenant=org_a.prod, starts_at=SATURDAY, scope="partial", cause="Voice degraded."
    )
    Outage.objects.create(tenant=org_a.test, starts_at=SATURDAY, scope="full", cause="Down.")
    page = client.get(URL).content.decode()
    assert _state(page, "alpha-prod") == "Partial outage"
    assert _state(page, "alpha-test") == "Outage"
    assert "Partial outage since" in page and "Voice degraded." in page


def test_the_strip_marks_the_day_of_an_outage(announced, client, clock):
    org_a, _ = announced
    Outage.objects.create(
        tenant=org_a.prod,
        starts_at=utc(2026, 11, 3, 9),
        ends_at=utc(2026, 11, 3, 10),
        scope="full",
        cause="Down.",
    )
    clock.to(NOW)
    client.force_login(org_a.contact)
    page = client.get(URL).content.decode()
    card = page.split('data-tenant="alpha-prod"', 1)[1].split("</article>", 1)[0]
    assert '<rect class="day day-outage"' in card
    assert "<title>Tue 3 Nov 2026: Outage</title>" in card
    assert "<td>Tue 3 Nov 2026</td><td>Outage</td>" in card


def test_the_customer_page_takes_few_queries(
    announced, client, clock, django_assert_max_num_queries
):
    org_a, _ = announced
    for n in range(30):
        Outage.objects.create(
            tenant=org_a.prod,
            starts_at=utc(2026, 10, 1 + n, 9),
            ends_at=utc(2026, 10, 1 + n, 9, 30),
            scope="full",
            cause="Down.",
        )
    clock.to(NOW)
    client.force_login(org_a.contact)
    with django_assert_max_num_queries(10):
        assert client.get(URL).status_code == 200


def test_the_staff_page_takes_few_queries_with_many_tenants(
    defaults, client, clock, manager, django_assert_max_num_queries
):
    for n in range(40):
        tenant = TenantFactory(
            organisation=OrganisationFactory(),
            data_centre=list(DataCentre)[n % 4],
        )
        provision(tenant)
        for day in range(0, 80, 8):
            Outage.objects.create(
                tenant=tenant,
                starts_at=utc(2026, 8, 20, 9) + timedelta(days=day + n % 7),
                ends_at=utc(2026, 8, 20, 9, 20) + timedelta(days=day + n % 7),
                scope="full" if n % 3 else "partial",
                cause="Down.",
            )
    Outage.objects.create(tenant=tenant, starts_at=utc(2026, 11, 11, 9), scope="full", cause="Now.")
    clock.to(NOW)
    client.force_login(manager)
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert response.status_code == 200
    assert "Ongoing outages (1)" in response.content.decode()


def test_people_without_a_role_are_refused(db, client):
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403

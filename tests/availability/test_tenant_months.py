"""A month's availability from the database (``selectors.tenant_months``): the same figures as
the arithmetic computed by hand, in a fixed number of queries."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from availability import selectors, services
from availability.models import AvailabilityTarget, Outage
from sla.models import Policy
from tenants.models import Tenant
from tests.factories import OrganisationFactory, TenantFactory

from .conftest import provision, utc

# January 2026 in Helsinki: 44,640 minutes, 960 of them in Europe's weekly windows.
JANUARY = (2026, 1)
LATER = utc(2026, 3, 1)


def _outage(tenant, start, minutes, scope="full"):
    return Outage.objects.create(
        tenant=tenant,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        scope=scope,
        cause="x",
    )


def _month(tenant, *, now=LATER, year_month=JANUARY):
    [tm] = selectors.tenant_months(
        selectors.tenant_rows(Tenant.objects.filter(pk=tenant.pk)), *year_month, now=now
    )
    return tm


def test_a_40_minute_outage_in_january_is_below_the_target(provisioned):
    org_a, _ = provisioned
    _outage(org_a.prod, utc(2026, 1, 14, 9), 40)
    tm = _month(org_a.prod)
    assert tm.figures.scheduled == timedelta(minutes=43680)
    assert tm.percent == Decimal("99.908")
    assert tm.target == Decimal("99.920") and tm.below_target


def test_a_policy_with_its_own_target_is_measured_against_it(provisioned):
    org_a, org_b = provisioned
    policy = Policy.objects.create(
        slug="premium", name="Premium", calendar=org_a.org.sla_policy.calendar
    )
    AvailabilityTarget.objects.create(policy=policy, percent=Decimal("99.95"))
    org_a.org.sla_policy = policy
    org_a.org.save()
    _outage(org_a.prod, utc(2026, 1, 14, 9), 30)  # 99.931 %: meets 99.92, misses 99.95
    _outage(org_b.prod, utc(2026, 1, 14, 9), 30)
    assert (_month(org_a.prod).target, _month(org_a.prod).meets) == (Decimal("99.950"), False)
    assert (_month(org_b.prod).target, _month(org_b.prod).meets) == (Decimal("99.920"), True)


def test_other_tenants_outages_and_partial_outages_do_not_count(provisioned):
    org_a, org_b = provisioned
    _outage(org_b.prod, utc(2026, 1, 14, 9), 400)
    _outage(org_a.prod, utc(2026, 1, 15, 9), 400, scope="partial")
    tm = _month(org_a.prod)
    assert tm.figures.unavailable == timedelta(0)
    assert tm.meets is True


def test_a_cancelled_weekly_window_is_counted_as_scheduled_time(provisioned, manager):
    org_a, _ = provisioned
    window = services.maintenance_window_open(
        region="europe", planned_starts_at=utc(2026, 1, 10, 22), actor=manager
    )
    services.maintenance_window_cancel(
        window=window, actor=manager, reason="Nothing to do.", now=utc(2026, 1, 5)
    )
    assert _month(org_a.prod).figures.maintenance == timedelta(minutes=720)


def test_measurement_runs_from_provisioning_to_the_end_of_the_termination_day(provisioned):
    org_a, _ = provisioned
    provision(org_a.prod, at=utc(2026, 1, 16, 12))
    assert _month(org_a.prod).figures.measured.length == timedelta(minutes=22200)
    org_a.org.terminated_on = date(2026, 1, 20)
    org_a.org.save()
    tm = _month(org_a.prod)
    assert tm.measured.end == utc(2026, 1, 20, 22)
    assert _month(org_a.prod, year_month=(2026, 2)).figures is None


def test_a_running_month_is_measured_until_now(provisioned):
    org_a, _ = provisioned
    tm = _month(org_a.prod, now=utc(2026, 1, 2, 22), year_month=JANUARY)
    assert tm.figures.measured.length == timedelta(days=2)


def test_a_tenant_not_yet_provisioned_has_no_figure(org_a, defaults):
    assert _month(org_a.prod).figures is None


def test_the_month_of_many_tenants_takes_three_queries(defaults):
    for n in range(30):
        organisation = OrganisationFactory()
        tenant = TenantFactory(organisation=organisation, provisioned_at=utc(2025, 1, 1))
        _outage(tenant, utc(2026, 1, 3 + n % 20, 9), 20 + n)
    tenants = selectors.tenant_rows(Tenant.objects.all())
    with CaptureQueriesContext(connection) as queries:
        months = selectors.tenant_months(tenants, *JANUARY, now=LATER)
    assert len(queries) == 3  # slots, windows, outages
    # The target allows 34.944 minutes of the 43,680: outages of 35 minutes and more miss it.
    assert sum(m.below_target for m in months) == len(range(35, 50)) == 15
    assert {m.figures.unavailable for m in months} == {timedelta(minutes=20 + n) for n in range(30)}

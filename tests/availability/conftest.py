"""Shared pieces of the availability tests: instants, provisioned tenants, a clock, and jobs run
as beat runs them (outside a transaction, mail going out on commit)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from availability import services
from sla import services as sla_services
from tests.tickets.conftest import clock  # noqa: F401  (a fixture shared with the ticket tests)

HELSINKI = ZoneInfo("Europe/Helsinki")
PROVISIONED = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args) -> datetime:
    """An aware instant in Helsinki time (the standard calendar's zone)."""
    return datetime(*args, tzinfo=HELSINKI)


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test's database is rolled back afterwards: cached calendars and the cached list of
    organisations must not carry one test's rows into the next."""
    sla_services.forget_cached()
    cache.clear()
    yield
    sla_services.forget_cached()
    cache.clear()


@pytest.fixture
def defaults(db):
    """The slots and target the migration loads (again, for transactional tests)."""
    services.availability_defaults_ensure()


def provision(*tenants, at: datetime = PROVISIONED) -> None:
    for tenant in tenants:
        tenant.provisioned_at = at
        tenant.save(update_fields=["provisioned_at"])


@pytest.fixture
def provisioned(org_a, org_b, defaults):
    """Both organisations' tenants in service since June 2025 (all in Frankfurt: Europe)."""
    provision(org_a.prod, org_a.test, org_b.prod, org_b.test)
    return org_a, org_b


@pytest.fixture
def run_job(django_capture_on_commit_callbacks):
    """Run a periodic service function as beat would: outside a transaction, its mail sent on
    commit."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sla import services

HELSINKI = ZoneInfo("Europe/Helsinki")


def local(*args) -> datetime:
    """An aware instant in Helsinki time (the standard calendar's zone)."""
    return datetime(*args, tzinfo=HELSINKI)


@pytest.fixture(autouse=True)
def fresh_sla_caches():
    """Each test's database is rolled back afterwards: cached calendars and policies must not
    carry one test's edits into the next."""
    services.forget_cached()
    yield
    services.forget_cached()


@pytest.fixture
def standard(db):
    return services.policy_by_slug("standard")

"""Two organisations, their contacts, engineers at L1–L4 and a manager, for every test."""

from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.test import Client

from lib import broker
from sla.services import forget_cached
from tenants.models import ContactRole, SupportLevel, Tenant
from tenants.roles import ENGINEERS_GROUP, MANAGERS_GROUP, ensure_role_groups

from .factories import ContactFactory, OrganisationFactory, TenantFactory, UserFactory
from .two_factor import needs_second_factor, verify_second_factor

_password_only_login = Client.force_login


def force_login_password_only(client, user) -> None:
    """Sign ``client`` in as ``user`` with the password step only, as the sign-in form leaves
    someone who still has to enter their code."""
    _password_only_login(client, user)


@pytest.fixture(autouse=True)
def _force_login_signs_in_fully(monkeypatch):
    """``client.force_login(user)`` stands for a completed sign-in in tests: for people who
    use a second factor (all support staff) it also completes that step with their
    authenticator. Tests of the sign-in itself post the real forms instead."""

    def force_login(self, user, backend=None):
        _password_only_login(self, user, backend)
        if needs_second_factor(user):
            verify_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in a cache that outlives a test's database rollback."""
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()


@pytest.fixture(autouse=True)
def _broker_not_paused():
    """Each test starts as a fresh process would: no pause after an earlier broker failure
    (``lib.broker``)."""
    broker.resume()
    yield
    broker.resume()


@pytest.fixture(autouse=True)
def _fresh_sla_caches():
    """Policies and calendars are cached per process by id; a test that empties the tables
    (transactional tests) must not meet another test's copies."""
    forget_cached()
    yield
    forget_cached()


@pytest.fixture
def groups(db):
    return ensure_role_groups()


def _org(name: str, slug: str):
    org = OrganisationFactory(name=name, slug=slug)
    prod = TenantFactory(organisation=org, name=f"{slug}-prod", kind=Tenant.Kind.PRODUCTION)
    test = TenantFactory(organisation=org, name=f"{slug}-test", kind=Tenant.Kind.TEST)
    admin = ContactFactory(
        organisation=org,
        email=f"admin@{slug}.example",
        full_name=f"{name} Admin",
        contact_role=ContactRole.MAIN,
    )
    contact = ContactFactory(
        organisation=org,
        email=f"contact@{slug}.example",
        full_name=f"{name} Contact",
        contact_role=ContactRole.CONTACT,
    )
    return SimpleNamespace(org=org, prod=prod, test=test, admin=admin, contact=contact)


@pytest.fixture
def org_a(db):
    return _org("Alpha", "alpha")


@pytest.fixture
def org_b(db):
    return _org("Beta", "beta")


def _engineer(level: str, groups):
    user = UserFactory(
        email=f"{level.lower()}@support.example", full_name=f"Engineer {level}", support_level=level
    )
    user.groups.add(groups[ENGINEERS_GROUP])
    return user


@pytest.fixture
def engineers(groups):
    return {level: _engineer(level, groups) for level in SupportLevel.values}


@pytest.fixture
def manager(groups):
    user = UserFactory(email="manager@support.example", full_name="Maria Manager")
    user.groups.add(groups[MANAGERS_GROUP])
    return user


@pytest.fixture
def superuser(groups):
    from tenants.models import User

    return User.objects.create_superuser(
        email="root@support.example", full_name="Ada Administrator"
    )

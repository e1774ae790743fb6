"""Two organisations, their contacts, engineers at L1–L4 and a manager, for every test."""

from types import SimpleNamespace

import pytest

from sla.services import forget_cached
from tenants.models import ContactRole, SupportLevel, Tenant
from tenants.roles import ENGINEERS_GROUP, MANAGERS_GROUP, ensure_role_groups

from .factories import ContactFactory, OrganisationFactory, TenantFactory, UserFactory


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

"""Cross-organisation matrix: every URL that takes an object id answers 404 to another customer.

The routes are collected from the URL resolver, so a new view joins the matrix by itself. Its
test fails until ``OBJECT_BUILDERS`` knows how to build, for organisation B, the object each
keyword argument of the route names. A builder takes the ``org_b`` namespace of
``tests/conftest.py`` and returns the value to put in the URL (usually a pk). Builders of nested
objects share their parent through ``_once`` so that, say, an attachment belongs to the ticket
in the same URL.
"""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

SKIPPED_PREFIXES = ("admin/",)
# Routes with converters that do not name an object of an organisation, and why.
EXEMPT_ROUTES = {
    "password_reset_confirm": "a signed token link of Django's own auth views, not an object",
    "by": "a breakdown (organisation, tenant, level, engineer) of the managers' SLA report",
}


def _once(b, attribute: str, build):
    """Build a shared object of organisation B once per test (e.g. the ticket of an attachment)."""
    if not hasattr(b, attribute):
        setattr(b, attribute, build())
    return getattr(b, attribute)


def _ticket(b):
    from tickets import services

    return _once(
        b,
        "ticket",
        lambda: services.ticket_create(
            submitter=b.contact,
            tenant_id=b.prod.pk,
            kind="incident",
            priority="P2",
            subject="Matrix ticket",
            description="Belongs to organisation B.",
            attachments=[SimpleUploadedFile("b.log", b"organisation B log\n")],
        ),
    )


def _checklist(b):
    from datetime import date

    from onboarding.services import onboarding_start
    from tenants.models import User

    def build():
        vendor_admin = User.objects.create_superuser(
            email="onboarding@vendor.example", full_name="Onboarding admin"
        )
        return onboarding_start(
            organisation=b.org, signed_on=date(2026, 11, 16), actor=vendor_admin
        )

    return _once(b, "checklist", build)


def _outage(b):
    from datetime import UTC, datetime

    from availability.models import Outage

    return _once(
        b,
        "outage",
        lambda: Outage.objects.create(
            tenant=b.prod,
            starts_at=datetime(2026, 11, 17, 9, 0, tzinfo=UTC),
            scope=Outage.Scope.FULL,
            cause="Belongs to organisation B.",
        ),
    )


def _window(b):
    """A maintenance window of a region where only organisation B has a tenant (the fixtures'
    tenants are all in Frankfurt), so that A's admin has no business seeing it."""
    from datetime import UTC, datetime, timedelta

    from availability.models import MaintenanceWindow
    from tenants.models import DataCentre

    from .factories import TenantFactory

    def build():
        TenantFactory(organisation=b.org, name="beta-us", data_centre=DataCentre.US_WEST)
        start = datetime(2026, 11, 15, 4, 0, tzinfo=UTC)
        return MaintenanceWindow.objects.create(
            region="americas",
            kind="weekly",
            planned_starts_at=start,
            planned_ends_at=start + timedelta(hours=4),
            starts_at=start,
            ends_at=start + timedelta(hours=4),
        )

    return _once(b, "window", build)


OBJECT_BUILDERS = {
    # A contact of organisation B who is not the admin, so that B's admin may act on them.
    "contact_id": lambda b: b.contact.pk,
    "ticket_id": lambda b: _ticket(b).pk,
    "attachment_id": lambda b: _ticket(b).attachments.get().pk,
    # A customer action: the owner's empty POST is a 400 (form error), the outsider's a 404.
    "action": lambda b: "customer_reply",
    "checklist_id": lambda b: _checklist(b).pk,
    # A customer step, so that B's admin may tick it.
    "step_id": lambda b: _checklist(b).steps.get(code="email_configuration").pk,
    "tenant_id": lambda b: b.prod.pk,
    # A month of the tenant or organisation in the same URL.
    "year": lambda b: 2026,
    "month": lambda b: 11,
    "outage_id": lambda b: _outage(b).pk,
    "window_id": lambda b: _window(b).pk,
    "organisation_id": lambda b: b.org.pk,
}


@dataclass(frozen=True)
class Route:
    name: str  # the full, namespaced URL name ("tenants:contact_edit")
    route: str  # the full route pattern ("organisation/contacts/<int:contact_id>/")
    kwargs: tuple[str, ...]


def _kwargs_of(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return list(converters)
    return list(pattern.regex.groupindex)  # re_path() with named groups


def collect_routes(resolver=None, prefix="", namespace="", kwargs=()) -> list[Route]:
    """Every URL pattern below ``resolver`` whose route (or an including prefix) has converters."""
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        names = (*kwargs, *_kwargs_of(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += collect_routes(entry, route, inner, names)
        elif isinstance(entry, URLPattern) and names:
            name = f"{namespace}{entry.name}" if entry.name else ""
            routes.append(Route(name=name, route=route, kwargs=names))
    return routes


def missing_builder(route: Route) -> str | None:
    """The message that makes a route without a builder fail, or None when all are known."""
    for kwarg in route.kwargs:
        if kwarg not in OBJECT_BUILDERS:
            return f"add a builder for {kwarg} so {route.route} joins the matrix"
    return None


ROUTES = [r for r in collect_routes() if r.name.split(":")[-1] not in EXEMPT_ROUTES]


def test_the_walk_finds_the_routes_of_the_portal():
    names = {r.name for r in ROUTES}
    assert {"tenants:contact_edit", "tenants:contact_set_active"} <= names
    assert not any(r.route.startswith("admin/") for r in ROUTES)
    assert not any(r.name.endswith("password_reset_confirm") for r in ROUTES)


def test_a_route_without_a_builder_is_named_in_the_failure():
    route = Route("widgets:detail", "widgets/<int:widget_id>/", ("widget_id",))
    assert missing_builder(route) == (
        "add a builder for widget_id so widgets/<int:widget_id>/ joins the matrix"
    )
    assert missing_builder(Route("x", "c/<int:contact_id>/", ("contact_id",))) is None


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name or r.route)
def test_another_organisations_object_is_not_found(route, org_a, org_b):
    if message := missing_builder(route):
        pytest.fail(message)
    if not route.name:
        pytest.fail(f"name the URL pattern {route.route} so the matrix can reverse it")
    url = reverse(route.name, kwargs={k: OBJECT_BUILDERS[k](org_b) for k in route.kwargs})

    outsider, owner = Client(), Client()
    outsider.force_login(org_a.admin)
    owner.force_login(org_b.admin)
    # The outsider goes first so that the owner's POST cannot change what the outsider sees.
    foreign = {method: getattr(outsider, method)(url).status_code for method in ("get", "post")}
    own = {method: getattr(owner, method)(url).status_code for method in ("get", "post")}

    for method in ("get", "post"):
        # A method the view never accepts is refused before the gate, for every id alike.
        if own[method] == 405:
            assert foreign[method] == 405, (method, url, foreign, own)
        else:
            assert foreign[method] == 404, (method, url, foreign, own)
        # The object must exist and be reachable by its own organisation, or a 404 proves nothing.
        assert own[method] != 404, (method, url, foreign, own)
    assert 404 in foreign.values(), (url, foreign, own)

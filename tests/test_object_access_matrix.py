"""Cross-organisation matrix: every URL that takes an object id answers 404 to another customer.

The routes are collected from the URL resolver, so a new view joins the matrix by itself. Its
test fails until ``OBJECT_BUILDERS`` knows how to build, for organisation B, the object each
keyword argument of the route names. A builder takes the ``org_b`` namespace of
``tests/conftest.py`` and returns the value to put in the URL (usually a pk). Builders of nested
objects share their parent through ``_once`` so that, say, an attachment belongs to the ticket
in the same URL.
"""

import pytest
from django.test import Client
from django.urls import reverse

from .roles import api_key_of, is_api_route
from .routes import OBJECT_BUILDERS, Route, all_routes

# Routes with converters that do not name an object of an organisation, and why.
EXEMPT_ROUTES = {
    "password_reset_confirm": "a signed token link of Django's own auth views, not an object",
    "by": "a breakdown (organisation, tenant, level, engineer) of the managers' SLA report",
    "not_found": "the API's answer for any address it does not have, not an object",
}


def collect_routes() -> list[Route]:
    """The routes whose URL names an object (or an including prefix does)."""
    return [route for route in all_routes() if route.kwargs]


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
    # Every API route that names an object is in the matrix.
    assert {"api:ticket_detail", "api:ticket_attachment", "api:ticket_reply"} <= names
    assert {f"api:ticket_{name}" for name in ("take", "escalate", "withdraw")} <= names
    assert {"integrations:key_revoke", "integrations:delivery_retry"} <= names
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
    if is_api_route(route):
        # The API answers keys, not sessions: each admin calls with a key acting as them.
        outsider.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_key_of(org_a.admin)}"
        owner.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_key_of(org_b.admin)}"
    else:
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

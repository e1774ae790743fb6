"""No form of the portal is accepted without its CSRF token (OWASP ASVS 5.0, V3.5.1): a POST
from another site, which cannot read the token, changes nothing. The REST API is the one
exception by design: it authenticates by key, never by cookie."""

import pytest
from django.test import Client

from tickets.models import Ticket

from .roles import is_api_route
from .routes import all_routes, missing_builders, url_of

ROUTES = [r for r in all_routes() if not is_api_route(r) and not missing_builders(r)]


@pytest.mark.parametrize("who", ["contact", "manager"])
def test_a_post_without_the_csrf_token_is_refused_on_every_route(who, org_a, manager):
    person = org_a.contact if who == "contact" else manager
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    urls = {route.name: url_of(route, org_a) for route in ROUTES}  # objects exist first
    assert len(urls) > 50
    tickets = Ticket.objects.count()
    accepted = {}
    for name, url in urls.items():
        status = client.post(url, {"subject": "Forged", "body": "Forged"}).status_code
        # 403: the CSRF check; 405: a page that takes no POST at all.
        if status not in (403, 405):
            accepted[name] = status
    assert accepted == {}
    assert Ticket.objects.count() == tickets


def test_the_same_post_with_its_token_reaches_the_view(org_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org_a.contact)
    client.get("/tickets/new/")
    token = client.cookies["csrftoken"].value
    response = client.post("/tickets/new/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 400  # the form's own refusal: the check let it through

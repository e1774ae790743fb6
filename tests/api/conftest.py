"""API keys and clients for the API tests."""

import pytest
from rest_framework.test import APIClient

from api.models import ApiKey
from api.services import api_key_create


def issue_key(holder, *, scope: str = ApiKey.Scope.READ_WRITE, by=None, name: str = "Tests"):
    """A key acting as ``holder`` (issued by ``by``: their customer admin, or a manager)."""
    key, secret = api_key_create(actor=by, holder_id=holder.pk, name=name, scope=scope)
    return key, secret


def client_with(secret: str) -> APIClient:
    client = APIClient(REMOTE_ADDR="192.0.2.20")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def api_for(manager):
    """``api_for(person, scope=…)``: a client with a fresh key acting as ``person``."""

    def build(person, *, scope: str = ApiKey.Scope.READ_WRITE):
        if person.is_customer:
            from tenants.models import User

            admin = (
                User.objects.filter(organisation=person.organisation, contact_role="main")
                .order_by("pk")
                .first()
            )
        else:
            admin = manager
        _, secret = issue_key(person, scope=scope, by=admin)
        return client_with(secret)

    return build

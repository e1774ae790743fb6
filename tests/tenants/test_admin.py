"""A tenant's provisioning time in the admin: recorded once, never in the future, then fixed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(email="root@support.example", is_staff=True, is_superuser=True))
    return client


def _form(tenant, provisioned_at):
    return {
        "organisation": tenant.organisation_id,
        "name": tenant.name,
        "kind": tenant.kind,
        "data_centre": tenant.data_centre,
        "provisioned_at_0": timezone.localtime(provisioned_at).strftime("%Y-%m-%d")
        if provisioned_at
        else "",
        "provisioned_at_1": timezone.localtime(provisioned_at).strftime("%H:%M:%S")
        if provisioned_at
        else "",
    }


def test_provisioning_is_recorded_once_and_then_read_only(admin_client, org_a):
    url = reverse("admin:tenants_tenant_change", args=[org_a.prod.pk])
    when = timezone.now().replace(microsecond=0) - timedelta(days=3)
    assert admin_client.post(url, _form(org_a.prod, when)).status_code == 302
    org_a.prod.refresh_from_db()
    assert org_a.prod.provisioned_at == when
    page = admin_client.get(url).content.decode()
    assert 'name="provisioned_at_0"' not in page  # shown, no longer editable


def test_provisioning_in_the_future_is_refused(admin_client, org_a):
    url = reverse("admin:tenants_tenant_change", args=[org_a.prod.pk])
    response = admin_client.post(url, _form(org_a.prod, timezone.now() + timedelta(days=2)))
    assert response.status_code == 200
    assert "Provisioning cannot complete in the future." in response.content.decode()
    org_a.prod.refresh_from_db()
    assert org_a.prod.provisioned_at is None

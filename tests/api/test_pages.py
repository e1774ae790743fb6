"""The integration pages: customer admins manage their organisation's keys and webhooks,
managers the staff keys; a key and a signing secret are shown once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from api.models import ApiKey, WebhookDelivery, WebhookEndpoint
from api.services import api_key_create
from audit.models import AuditEvent
from events.models import Event

from .conftest import client_with


def test_a_customer_admin_creates_a_key_that_is_shown_once(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(
        reverse("integrations:key_create"),
        {"name": "Nagios on mon-01", "holder": org_a.contact.pk, "scope": "read_write"},
    )
    assert response.status_code == 200
    key = ApiKey.objects.get()
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert (key.user, key.organisation, key.scope) == (org_a.contact, org_a.org, "read_write")
    assert response["Cache-Control"] == "private, no-store"
    listing = client.get(reverse("integrations:index")).content.decode()
    assert key.prefix in listing and secret not in listing
    assert client_with(secret).get("/api/v1/me/").json()["person"] == org_a.contact.full_name
    audit = AuditEvent.objects.get(data__change="api_key_created")
    assert audit.actor == org_a.admin and audit.data["key"] == key.prefix


def test_a_key_is_only_for_a_person_of_the_admins_organisation(client, org_a, org_b):
    client.force_login(org_a.admin)
    response = client.post(
        reverse("integrations:key_create"),
        {"name": "Sneaky", "holder": org_b.contact.pk, "scope": "read"},
    )
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_a_revoked_key_is_marked_and_audited(client, org_a):
    key, secret = api_key_create(
        actor=org_a.admin, holder_id=org_a.contact.pk, name="Old", scope="read"
    )
    client.force_login(org_a.admin)
    response = client.post(reverse("integrations:key_revoke", args=[key.pk]), follow=True)
    assert "was revoked" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == org_a.admin
    assert client_with(secret).get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(data__change="api_key_revoked").count() == 1


def test_staff_keys_need_a_manager(client, engineers, manager):
    with pytest.raises(PermissionDenied):
        api_key_create(
            actor=engineers["L1"], holder_id=engineers["L1"].pk, name="Mine", scope="read"
        )
    key, _ = api_key_create(
        actor=manager, holder_id=engineers["L3"].pk, name="L3 tooling", scope="read_write"
    )
    assert key.organisation is None and key.user == engineers["L3"]
    client.force_login(engineers["L1"])
    assert client.get(reverse("integrations:key_create")).status_code == 403


def test_a_manager_issues_staff_keys_only(manager, org_a):
    with pytest.raises(ValidationError):
        api_key_create(actor=manager, holder_id=org_a.contact.pk, name="No", scope="read")


def test_a_plain_contact_manages_nothing(client, org_a):
    client.force_login(org_a.contact)
    assert client.get(reverse("integrations:index")).status_code == 403
    assert client.get(reverse("integrations:webhook_create")).status_code == 403


def test_a_webhook_is_added_with_its_secret_shown_once(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(
        reverse("integrations:webhook_create"),
        {"url": "http://127.0.0.1:9/hooks", "event_types": ["ticket.created", "ticket.replied"]},
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert response.context["secret"] == endpoint.secret
    assert endpoint.event_types == ["ticket.created", "ticket.replied"]
    detail = client.get(reverse("integrations:webhook_detail", args=[endpoint.pk]))
    assert endpoint.secret not in detail.content.decode()


def test_a_private_address_is_refused_on_the_form(client, org_a, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    client.force_login(org_a.admin)
    response = client.post(
        reverse("integrations:webhook_create"),
        {"url": "https://10.0.0.8/hook", "event_types": ["ticket.created"]},
    )
    assert response.status_code == 400
    assert "local or private network address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_deliveries_and_their_last_status_are_listed(
    client, org_a, django_assert_max_num_queries
):
    client.force_login(org_a.admin)
    client.post(
        reverse("integrations:webhook_create"),
        {"url": "http://127.0.0.1:9/hooks", "event_types": ["ticket.created"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    now = timezone.now()
    for status in (500, 404, 502):
        event = Event.objects.create(
            organisation=org_a.org,
            type="ticket.created",
            ticket_id=1,
            occurred_at=now,
            dispatched_at=now,
        )
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=event,
            created_at=now,
            next_attempt_at=now,
            state="failed",
            attempts=10,
            last_status_code=status,
            last_error=f"HTTP {status}: nope",
        )
    with django_assert_max_num_queries(15):
        index = client.get(reverse("integrations:index"))
    assert "Not delivered" in index.content.decode() and ">502<" in index.content.decode()
    with django_assert_max_num_queries(15):
        detail = client.get(reverse("integrations:webhook_detail", args=[endpoint.pk]))
    assert detail.content.decode().count(">Send again</button>") == 3
    delivery = WebhookDelivery.objects.first()
    client.post(reverse("integrations:delivery_retry", args=[endpoint.pk, delivery.pk]))
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 0)


def test_the_navigation_links_the_page_for_admins_and_managers(client, org_a, manager):
    for person, shown in ((org_a.admin, True), (org_a.contact, False), (manager, True)):
        client.force_login(person)
        page = client.get(reverse("home")).content.decode()
        assert (reverse("integrations:index") in page) is shown, person

"""Reset emails: every active account can get one (also contacts who never set a password), at
a bounded rate per address and per client."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from tenants import services


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def post(email: str, client=None, address: str = "198.51.100.7"):
        client = client or Client(REMOTE_ADDR=address)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("password_reset"), {"email": email})

    return post


def test_a_new_contact_without_a_password_can_use_forgot_password(org_a, send):
    contact = services.contact_create(
        actor=org_a.admin,
        organisation_id=org_a.org.pk,
        email="new@alpha.example",
        full_name="Seán O'Brien",
        contact_role="contact",
    )
    assert not contact.has_usable_password()
    mail.outbox.clear()
    response = send("new@alpha.example")
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["new@alpha.example"]
    assert "Hello Seán O'Brien," in message.body  # plain text, not &#x27;


@override_settings(PORTAL_BASE_URL="https://portal.example")
def test_the_link_uses_the_portals_address_not_the_hosts_header(org_a, send):
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR="198.51.100.7")
    send("contact@alpha.example", client=client)
    assert "https://portal.example/accounts/reset/" in mail.outbox[0].body
    assert "localhost" not in mail.outbox[0].body


@override_settings(PASSWORD_RESET_LIMIT_PER_ADDRESS=3)
def test_a_fourth_request_for_one_address_within_the_hour_is_refused(org_a, send):
    statuses = [
        send("contact@alpha.example", address=f"198.51.100.{n}").status_code for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
    refused = send("Contact@Alpha.Example", address="198.51.100.99")
    assert refused.status_code == 429
    assert "Too many reset requests" in refused.content.decode()
    assert len(mail.outbox) == 3
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET_REFUSED).count() == 2


@override_settings(PASSWORD_RESET_LIMIT_PER_CLIENT=5, PASSWORD_RESET_LIMIT_PER_ADDRESS=100)
def test_one_client_cannot_send_resets_in_bulk(org_a, org_b, send):
    addresses = [f"person{n}@alpha.example" for n in range(5)] + ["contact@beta.example"]
    statuses = [send(email, address="203.0.113.5").status_code for email in addresses]
    assert statuses == [302] * 5 + [429]
    assert mail.outbox == []  # the five were unknown addresses, the known one was refused
    assert send("contact@beta.example", address="203.0.113.6").status_code == 302
    assert len(mail.outbox) == 1


def test_the_window_passes(org_a, send):
    for _ in range(3):
        send("contact@alpha.example")
    assert send("contact@alpha.example").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=61), tick=False):
        assert send("contact@alpha.example").status_code == 302

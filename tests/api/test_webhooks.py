"""Outgoing webhooks: recorded with the fact, fanned out per endpoint, signed, delivered by the
worker to a receiver on 127.0.0.1, retried with back-off, and never to a private address."""

import hashlib
import hmac
import json
import socket
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from api.models import WebhookDelivery
from api.services import webhook_endpoint_create, webhook_endpoint_set_active, webhook_ping
from api.webhooks.delivery import webhooks_deliver, webhooks_dispatch
from events.models import Event
from tickets import services
from tickets.sweep import sla_sweep

from .receiver import Receiver

State = WebhookDelivery.State


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def _endpoint(org, url, events=None):
    return webhook_endpoint_create(
        actor=org.admin,
        url=url,
        event_types=events
        or [
            "ticket.created",
            "ticket.replied",
            "ticket.status_changed",
            "ticket.sla_warning",
            "ticket.sla_breached",
        ],
    )


def _file(org, **fields):
    return services.ticket_create(
        submitter=org.contact,
        tenant_id=org.prod.pk,
        kind="incident",
        priority=fields.pop("priority", "P1"),
        subject="Agents cannot log in",
        description="Since 09:40.",
        **fields,
    )


def _signature(secret: str, call) -> str:
    signed = call.headers["x-portal-timestamp"].encode() + b"." + call.body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def test_a_ticket_filed_through_the_api_reaches_the_receiver_signed(api_for, org_a, receiver):
    endpoint, secret = _endpoint(org_a, receiver.url)
    created = api_for(org_a.contact).post(
        "/api/v1/tickets/",
        {"tenant": "alpha-prod", "subject": "Down", "description": "All agents.", "priority": "P1"},
        format="json",
    )
    assert created.status_code == 201
    # The request recorded the event and left the call to the worker.
    assert receiver.calls == []
    result = webhooks_deliver(now=timezone.now())
    assert (result.dispatched, result.delivered) == (1, 1)
    [call] = receiver.calls
    assert call.path == "/hooks/portal"
    assert call.headers["x-portal-signature"] == _signature(secret, call)
    payload = json.loads(call.body)
    event = Event.objects.get(type="ticket.created")
    assert payload["id"] == call.headers["x-portal-event-id"] == str(event.uuid)
    assert payload["type"] == call.headers["x-portal-event-type"] == "ticket.created"
    assert payload["ticket"]["id"] == created.json()["id"]
    assert payload["ticket"]["api_url"].endswith(f"/api/v1/tickets/{payload['ticket']['id']}/")
    assert payload["data"] == {
        "subject": "Down",
        "kind": "incident",
        "priority": "P1",
        "tenant": "alpha-prod",
        "status": "new",
    }
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.last_status_code, delivery.attempts) == (
        State.DELIVERED,
        200,
        1,
    )


def test_replies_and_status_changes_are_published(org_a, engineers, receiver):
    _endpoint(org_a, receiver.url)
    ticket = _file(org_a)
    services.ticket_reply(ticket=ticket, author=engineers["L1"], body="Looking into it.")
    services.ticket_add_note(ticket=ticket, author=engineers["L1"], body="Internal only.")
    webhooks_deliver(now=timezone.now())
    payloads = [json.loads(c.body) for c in receiver.calls]
    assert [p["type"] for p in payloads] == [
        "ticket.created",
        "ticket.replied",
        "ticket.status_changed",
    ]
    assert payloads[1]["data"] == {
        "from": "support",
        "author": "Engineer L1",
        "body": "Looking into it.",
    }
    assert payloads[2]["data"]["from"] == "new" and payloads[2]["data"]["to"] == "in_progress"
    assert "Internal only." not in b"".join(c.body for c in receiver.calls).decode()


def test_an_organisation_hears_only_of_its_own_tickets(org_a, org_b, receiver):
    _endpoint(org_b, receiver.url)
    _file(org_a)
    webhooks_deliver(now=timezone.now())
    assert receiver.calls == []
    assert WebhookDelivery.objects.count() == 0


def test_an_endpoint_hears_nothing_of_what_happened_before_it_was_added(org_a, receiver):
    _file(org_a, now=timezone.now() - timedelta(minutes=5))
    _endpoint(org_a, receiver.url)
    webhooks_deliver(now=timezone.now())
    assert receiver.calls == []


def test_only_the_chosen_events_are_sent(org_a, engineers, receiver):
    _endpoint(org_a, receiver.url, events=["ticket.replied"])
    ticket = _file(org_a)
    services.ticket_reply(ticket=ticket, author=engineers["L1"], body="On it.")
    webhooks_deliver(now=timezone.now())
    assert [json.loads(c.body)["type"] for c in receiver.calls] == ["ticket.replied"]


def test_a_failed_call_is_retried_with_back_off_then_delivered(org_a, receiver, settings):
    _endpoint(org_a, receiver.url, events=["ticket.created"])
    _file(org_a)
    receiver.statuses = [500, 503]
    now = timezone.now()
    first = webhooks_deliver(now=now)
    delivery = WebhookDelivery.objects.get()
    assert first.retried == 1
    assert (delivery.state, delivery.last_status_code, delivery.attempts) == (State.PENDING, 500, 1)
    base = timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS)
    assert now + base <= delivery.next_attempt_at < now + base + timedelta(seconds=5)
    # Not due yet: nothing is sent.
    assert webhooks_deliver(now=now).retried == 0 and len(receiver.calls) == 1
    webhooks_deliver(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.PENDING, 2)
    assert delivery.next_attempt_at - delivery.last_attempt_at >= 2 * base
    webhooks_deliver(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (
        State.DELIVERED,
        3,
        200,
    )
    # Every attempt carried the same event id, so the receiver can tell repeats apart.
    assert len({c.headers["x-portal-event-id"] for c in receiver.calls}) == 1


@override_settings(WEBHOOK_MAX_ATTEMPTS=2)
def test_a_delivery_out_of_attempts_is_failed_and_listed(org_a, receiver):
    _endpoint(org_a, receiver.url, events=["ticket.created"])
    _file(org_a)
    receiver.statuses = [500, 500]
    webhooks_deliver(now=timezone.now())
    delivery = WebhookDelivery.objects.get()
    webhooks_deliver(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.state == State.FAILED
    assert delivery.last_error.startswith("HTTP 500")


def test_a_dead_workers_lease_is_taken_over(org_a, receiver, settings):
    _endpoint(org_a, receiver.url, events=["ticket.created"])
    _file(org_a)
    now = timezone.now()
    webhooks_dispatch(now=now)
    WebhookDelivery.objects.update(
        state=State.SENDING, attempts=1, locked_until=now - timedelta(seconds=1), lease_token="gone"
    )
    result = webhooks_deliver(now=now)
    assert result.recovered == 1 and result.delivered == 1
    assert WebhookDelivery.objects.get().attempts == 2
    assert len(receiver.calls) == 1


def test_an_sla_breach_from_the_sweep_is_published(org_a, receiver):
    _endpoint(org_a, receiver.url, events=["ticket.sla_warning", "ticket.sla_breached"])
    filed = timezone.now() - timedelta(hours=2)
    ticket = _file(org_a, now=filed)
    sla_sweep(now=timezone.now())
    webhooks_deliver(now=timezone.now())
    types = [json.loads(c.body)["type"] for c in receiver.calls]
    assert "ticket.sla_breached" in types
    breach = next(json.loads(c.body) for c in receiver.calls if b"sla_breached" in c.body)
    assert breach["ticket"]["id"] == ticket.pk
    assert breach["data"]["target_kind"] == "initial_response"


def test_a_switched_off_endpoint_gets_nothing_more(org_a, receiver):
    endpoint, _ = _endpoint(org_a, receiver.url, events=["ticket.created"])
    _file(org_a)
    webhooks_dispatch(now=timezone.now())  # a delivery waits for the worker…
    webhook_endpoint_set_active(actor=org_a.admin, endpoint=endpoint, active=False)
    _file(org_a)  # …and a later event finds the endpoint off
    webhooks_deliver(now=timezone.now())
    assert receiver.calls == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == State.FAILED and delivery.last_error == "The endpoint was disabled."


def test_a_test_event_checks_the_receiver(org_a, receiver):
    endpoint, secret = _endpoint(org_a, receiver.url)
    webhook_ping(actor=org_a.admin, endpoint=endpoint)
    webhooks_deliver(now=timezone.now())
    [call] = receiver.calls
    assert json.loads(call.body)["type"] == "ping"
    assert call.headers["x-portal-signature"] == _signature(secret, call)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/portal",
        "https://10.0.0.5/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://printer.local/hook",
        "https://user:pw@203.0.113.9/hook",
        "ftp://hooks.example.com/",
    ],
)
@override_settings(WEBHOOK_ALLOW_LOOPBACK=False)
def test_in_production_only_public_https_addresses_are_accepted(org_a, url):
    with pytest.raises(ValidationError) as refused:
        _endpoint(org_a, url)
    assert refused.value.error_dict["url"][0].code == "webhook_url"
    assert not org_a.org.webhook_endpoints.exists()


@override_settings(WEBHOOK_ALLOW_LOOPBACK=False)
def test_a_name_that_resolves_to_a_private_address_is_refused(org_a, monkeypatch):
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(ValidationError):
        _endpoint(org_a, "https://intranet.customer.example/hook")


@override_settings(WEBHOOK_ALLOW_LOOPBACK=False)
def test_a_name_that_points_inside_later_is_not_called(org_a, monkeypatch):
    """Registered while it resolved to a public address, then moved to a private one."""
    answers = {"address": "93.184.216.34"}

    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers["address"], port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    _endpoint(org_a, "https://hooks.customer.example/portal", events=["ticket.created"])
    _file(org_a)
    answers["address"] = "127.0.0.1"
    result = webhooks_deliver(now=timezone.now())
    delivery = WebhookDelivery.objects.get()
    assert result.failed == 1 and delivery.state == State.FAILED
    assert "private network address" in delivery.last_error


def test_recording_an_event_never_waits_for_a_receiver(org_a, settings):
    """With deliveries left to the worker, a request that records events makes no call at all,
    even to a receiver that would hang."""
    settings.WEBHOOK_DELIVER_ON_COMMIT = "off"
    with socket.socket() as hanging:
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(1)
        _endpoint(org_a, f"http://127.0.0.1:{hanging.getsockname()[1]}/")
        _file(org_a)
    assert WebhookDelivery.objects.count() == 0  # not even fanned out: the worker does that
    assert Event.objects.filter(dispatched_at__isnull=True).count() == 1

"""Filing and following tickets through the API: the pages' rules, messages and refusals."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from api.models import ApiKey
from tickets import services
from tickets.models import Ticket, TicketEvent
from tickets.queue.selectors import queue_tickets

from ..tickets.helpers import file_ticket
from .conftest import client_with, issue_key

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _incident(**fields):
    return {
        "tenant": "alpha-prod",
        "subject": "Agents cannot log in",
        "description": "Since 09:40.",
        **fields,
    }


def test_a_script_files_a_p1_on_production_and_follows_it(api_for, org_a):
    client = api_for(org_a.contact)
    created = client.post("/api/v1/tickets/", _incident(priority="P1"), format="json")
    assert created.status_code == 201
    ticket = Ticket.objects.get()
    assert (ticket.priority, ticket.status, ticket.submitter) == ("P1", "new", org_a.contact)
    assert created["Location"].endswith(reverse("api:ticket_detail", args=[ticket.pk]))
    body = client.get(created["Location"]).json()
    assert body["id"] == ticket.pk and body["status"] == "new"
    assert {t["kind"] for t in body["targets"]} == {"initial_response", "resolution"}
    assert body["actions"] == ["customer_reply", "withdraw"]
    listed = client.get("/api/v1/tickets/", {"priority": "P1", "status": "new"}).json()
    assert [t["id"] for t in listed["results"]] == [ticket.pk]


@pytest.mark.parametrize("priority", ["P1", "P2"])
def test_p1_and_p2_on_a_test_tenant_are_refused_with_the_pages_message(
    api_for, client, org_a, priority
):
    response = api_for(org_a.contact).post(
        "/api/v1/tickets/", _incident(tenant="alpha-test", priority=priority), format="json"
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "p1_needs_production"
    assert problem["errors"]["priority"][0]["code"] == "p1_needs_production"
    assert problem["detail"].startswith(f"{priority} is reserved for incidents on production")
    # The page says exactly the same.
    client.force_login(org_a.contact)
    page = file_ticket(client, org_a.test, priority=priority)
    assert page.status_code == 400
    assert problem["detail"] in page.content.decode()
    assert Ticket.objects.count() == 0
    assert TicketEvent.objects.count() == 0


def test_another_organisations_tenant_is_refused_as_on_the_page(api_for, org_a, org_b):
    response = api_for(org_a.contact).post(
        "/api/v1/tickets/", _incident(tenant=org_b.prod.name), format="json"
    )
    assert response.status_code == 422
    assert response.json()["errors"]["tenant"] == [
        {"code": "foreign_tenant", "message": "Choose one of your organisation's tenants."}
    ]
    assert Ticket.objects.count() == 0


def _ticket(org, **fields):
    return services.ticket_create(
        submitter=org.contact,
        tenant_id=org.prod.pk,
        kind="incident",
        priority=fields.pop("priority", "P3"),
        subject="Queue stuck",
        description="Calls wait forever.",
        **fields,
    )


def test_an_l3_key_cannot_act_on_an_l1_ticket(api_for, org_a, engineers):
    ticket = _ticket(org_a)
    response = api_for(engineers["L3"]).post(
        f"/api/v1/tickets/{ticket.pk}/escalate/",
        {"version": ticket.version, "reason": "Needs operations."},
        format="json",
    )
    assert response.status_code == 403
    problem = response.json()
    assert problem["code"] == "other_level"
    assert problem["detail"] == (
        f"Ticket #{ticket.pk} is at L1; you work at L3. Only its level's engineers or a manager "
        "can do that."
    )
    ticket.refresh_from_db()
    assert (ticket.level, ticket.version) == ("L1", 1)


def test_the_ladder_moves_through_the_api_and_the_timeline_names_the_key(api_for, org_a, engineers):
    ticket = _ticket(org_a)
    l1 = api_for(engineers["L1"])
    escalated = l1.post(
        f"/api/v1/tickets/{ticket.pk}/escalate/",
        {"version": ticket.version, "reason": "Needs product support."},
        format="json",
    )
    assert escalated.status_code == 200
    assert escalated.json()["level"] == "L2"
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.LEVEL_CHANGED)
    key = ApiKey.objects.get(user=engineers["L1"])
    assert event.actor == engineers["L1"]
    assert event.data["via"] == f"API key “{key.name}” ({key.prefix})"
    # L1 no longer acts on it.
    again = l1.post(
        f"/api/v1/tickets/{ticket.pk}/take/", {"version": ticket.version + 1}, format="json"
    )
    assert again.status_code == 403 and again.json()["code"] == "other_level"


def test_a_stale_version_is_refused_with_ticket_changed(api_for, org_a, engineers):
    ticket = _ticket(org_a)
    services.ticket_take(ticket=ticket, actor=engineers["L1"], version=ticket.version)
    response = api_for(engineers["L1"]).post(
        f"/api/v1/tickets/{ticket.pk}/resolve/",
        {"version": 1, "resolution_type": "workaround", "summary": "Restart the queue."},
        format="json",
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "ticket_changed"
    assert problem["detail"].startswith(f"Ticket #{ticket.pk} changed while you were looking")
    ticket.refresh_from_db()
    assert ticket.status == "new" and ticket.version == 2


def test_a_move_the_state_does_not_allow_is_refused_with_the_services_code(api_for, org_a):
    ticket = _ticket(org_a)
    response = api_for(org_a.contact).post(
        f"/api/v1/tickets/{ticket.pk}/confirm/", {"version": ticket.version}, format="json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "transition_not_allowed"


def test_the_customer_confirms_or_reopens_a_resolution(api_for, org_a, engineers):
    ticket = _ticket(org_a)
    ticket = services.ticket_resolve(
        ticket=ticket,
        actor=engineers["L1"],
        resolution_type="resolution",
        summary="Fixed.",
        version=ticket.version,
    )
    client = api_for(org_a.contact)
    empty = client.post(
        f"/api/v1/tickets/{ticket.pk}/reopen/", {"version": ticket.version, "reason": ""}
    )
    assert empty.status_code == 422
    assert empty.json()["errors"]["reason"][0]["code"] == "reason_required"
    reopened = client.post(
        f"/api/v1/tickets/{ticket.pk}/reopen/",
        {"version": ticket.version, "reason": "Still broken."},
        format="json",
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "in_progress"


def test_idempotent_retries_file_one_ticket(api_for, org_a):
    client = api_for(org_a.contact)
    headers = {"HTTP_IDEMPOTENCY_KEY": "nagios-4711"}
    first = client.post("/api/v1/tickets/", _incident(priority="P2"), format="json", **headers)
    second = client.post("/api/v1/tickets/", _incident(priority="P2"), format="json", **headers)
    assert first.status_code == second.status_code == 201
    assert Ticket.objects.count() == 1
    assert second.json() == first.json()
    assert second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/tickets/", _incident(priority="P3"), format="json", **headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Ticket.objects.count() == 1


def test_a_refused_request_leaves_its_idempotency_key_free(api_for, org_a):
    client = api_for(org_a.contact)
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-after-fix"}
    refused = client.post(
        "/api/v1/tickets/", _incident(tenant="alpha-test", priority="P1"), format="json", **headers
    )
    assert refused.status_code == 422
    fixed = client.post(
        "/api/v1/tickets/", _incident(tenant="alpha-test", priority="P3"), format="json", **headers
    )
    assert fixed.status_code == 201
    assert Ticket.objects.count() == 1


def test_idempotency_keys_belong_to_one_api_key(api_for, org_a):
    headers = {"HTTP_IDEMPOTENCY_KEY": "shared-name"}
    api_for(org_a.contact).post("/api/v1/tickets/", _incident(), format="json", **headers)
    api_for(org_a.contact).post("/api/v1/tickets/", _incident(), format="json", **headers)
    assert Ticket.objects.count() == 2


def test_replies_are_idempotent_too(api_for, org_a):
    ticket = _ticket(org_a)
    client = api_for(org_a.contact)
    for _ in range(2):
        response = client.post(
            f"/api/v1/tickets/{ticket.pk}/replies/",
            {"body": "Here are the logs."},
            format="json",
            HTTP_IDEMPOTENCY_KEY="reply-1",
        )
        assert response.status_code == 201
    assert ticket.events.filter(kind=TicketEvent.Kind.CUSTOMER_REPLY).count() == 1


def test_attachments_are_uploaded_and_downloaded(api_for, org_a):
    client = api_for(org_a.contact)
    created = client.post(
        "/api/v1/tickets/",
        {**_incident(), "attachments": [SimpleUploadedFile("shot.png", PNG)]},
        format="multipart",
    )
    assert created.status_code == 201
    attachment = created.json()["timeline"][0]["attachments"][0]
    assert attachment["name"] == "shot.png"
    download = client.get(attachment["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG


def test_a_refused_attachment_saves_nothing(api_for, org_a):
    response = api_for(org_a.contact).post(
        "/api/v1/tickets/",
        {**_incident(), "attachments": [SimpleUploadedFile("run.exe", b"MZ\x90\x00binary")]},
        format="multipart",
    )
    assert response.status_code == 422
    assert "attachments" in response.json()["errors"]
    assert Ticket.objects.count() == 0


def test_customers_see_only_the_public_timeline(api_for, org_a, engineers):
    ticket = _ticket(org_a)
    services.ticket_add_note(ticket=ticket, author=engineers["L1"], body="Internal guess.")
    customer = api_for(org_a.contact).get(f"/api/v1/tickets/{ticket.pk}/").json()
    staff = api_for(engineers["L1"]).get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert "internal_note" not in [e["kind"] for e in customer["timeline"]]
    assert "internal_note" in [e["kind"] for e in staff["timeline"]]
    assert customer["level"] is None and staff["level"] == "L1"


def test_the_queue_has_the_pages_order_and_filters(api_for, org_a, org_b, engineers, manager):
    tickets = [_ticket(org_a, priority=p) for p in ("P3", "P1", "P4")] + [_ticket(org_b)]
    client = api_for(manager)
    page = client.get("/api/v1/queue/", {"page_size": 2}).json()
    rest = client.get(page["next"]).json()
    ids = [row["id"] for row in page["results"] + rest["results"]]
    assert ids == [row["id"] for row in queue_tickets(manager)]
    assert len(ids) == len(tickets) and rest["next"] is None
    p1 = client.get("/api/v1/queue/", {"priority": "P1"}).json()["results"]
    assert [row["id"] for row in p1] == [tickets[1].pk]
    assert api_for(org_a.contact).get("/api/v1/queue/").status_code == 403


def test_pages_of_the_ticket_list_follow_each_other_without_overlap(api_for, org_a):
    made = [_ticket(org_a).pk for _ in range(5)]
    client = api_for(org_a.contact)
    seen, url = [], "/api/v1/tickets/?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [t["id"] for t in body["results"]]
        url = body["next"]
    assert seen == sorted(made, reverse=True)


@pytest.mark.parametrize("size", ["0", "101", "x", "-1"])
def test_page_sizes_are_capped(api_for, org_a, size):
    response = api_for(org_a.contact).get("/api/v1/tickets/", {"page_size": size})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_page_size"


def test_a_forged_cursor_is_refused(api_for, org_a):
    response = api_for(org_a.contact).get("/api/v1/tickets/", {"cursor": "WyIxIl0"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


@override_settings(API_JSON_MAX_BYTES=1000)
def test_a_json_body_over_the_cap_is_refused(api_for, org_a):
    response = api_for(org_a.contact).post(
        "/api/v1/tickets/", _incident(description="x" * 2000), format="json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert Ticket.objects.count() == 0


def test_keys_are_stored_hashed_and_shown_once(org_a):
    key, secret = issue_key(org_a.contact, by=org_a.admin)
    assert secret.startswith(key.prefix + "_")
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = ApiKey.objects.filter(pk=key.pk).values()[0]
    assert not any(secret in str(value) for value in stored.values())


def test_a_revoked_key_stops_working(org_a):
    from api.services import api_key_revoke

    key, secret = issue_key(org_a.contact, by=org_a.admin)
    client = client_with(secret)
    assert client.get("/api/v1/me/").status_code == 200
    api_key_revoke(actor=org_a.admin, key=key)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["code"] == "invalid_key"


def test_a_deactivated_persons_key_stops_working(org_a):
    _, secret = issue_key(org_a.contact, by=org_a.admin)
    org_a.contact.is_active = False
    org_a.contact.save(update_fields=["is_active"])
    assert client_with(secret).get("/api/v1/me/").status_code == 401


def test_a_read_only_key_reads_but_cannot_write(org_a):
    _, secret = issue_key(org_a.contact, by=org_a.admin, scope=ApiKey.Scope.READ)
    client = client_with(secret)
    assert client.get("/api/v1/tickets/").status_code == 200
    response = client.post("/api/v1/tickets/", _incident(), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "key_read_only"
    assert Ticket.objects.count() == 0


def test_use_of_a_key_is_recorded(org_a):
    key, secret = issue_key(org_a.contact, by=org_a.admin)
    assert key.last_used_at is None
    client_with(secret).get("/api/v1/me/")
    key.refresh_from_db()
    assert key.last_used_at is not None


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_a_key_over_its_rate_limit_gets_429_with_retry_after(api_for, org_a):
    client = api_for(org_a.contact)
    statuses = [client.get("/api/v1/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/me/")
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another key has its own budget.
    assert api_for(org_a.admin).get("/api/v1/me/").status_code == 200


@override_settings(API_FAILED_AUTH_PER_MINUTE=2)
def test_wrong_keys_from_one_address_are_slowed_down(org_a):
    _, secret = issue_key(org_a.contact, by=org_a.admin)
    wrong = client_with("sp_aaaaaaaa_" + "x" * 43)
    assert [wrong.get("/api/v1/me/").status_code for _ in range(2)] == [401, 401]
    assert wrong.get("/api/v1/me/").status_code == 429
    # The right key from the same address waits too: guessing must not pay off.
    assert client_with(secret).get("/api/v1/me/").status_code == 429


def test_without_a_key_the_api_answers_401_not_a_sign_in_page(client):
    response = client.get("/api/v1/tickets/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_schema_and_its_docs_are_served_without_a_cdn_or_inline_script(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/tickets/" in schema.json()["paths"]
    docs = client.get("/api/v1/docs/")
    html = docs.content.decode()
    assert docs.status_code == 200
    assert "<script>" not in html and "<style" not in html and "//cdn" not in html
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert finders.find("api/docs.js")


@pytest.mark.parametrize(
    "path", ["tickets/abc/", "tickets/a%0Ab/withdraw/", "tickets/%0A/", "no-such-thing/%04x"]
)
def test_any_other_address_under_the_api_is_a_json_404(api_for, org_a, path):
    """Also one with a line break in it (schemathesis found one answered with the HTML page)."""
    response = api_for(org_a.contact).post(f"/api/v1/{path}", {})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"

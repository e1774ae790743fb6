from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tickets.models import Attachment, Ticket, TicketEvent

from .conftest import local
from .helpers import file_ticket

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_customer_files_a_p1_on_a_production_tenant(client, org_a, clock):
    submitted = clock.to(local(2026, 11, 17, 10, 0))
    client.force_login(org_a.contact)
    response = file_ticket(client, org_a.prod, priority="P1")
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:detail", args=[ticket.pk])
    assert (ticket.priority, ticket.level, ticket.status) == ("P1", "L1", "new")
    assert ticket.organisation == org_a.org and ticket.submitter == org_a.contact
    initial = ticket.targets.get(kind="initial_response")
    resolution = ticket.targets.get(kind="resolution")
    assert initial.due_at == submitted + timedelta(minutes=60)
    assert resolution.due_at == submitted + timedelta(hours=4)
    assert ticket.next_due_at == initial.due_at
    assert ticket.events.get().kind == TicketEvent.Kind.CREATED


@pytest.mark.parametrize("priority", ["P1", "P2"])
def test_it_refuses_p1_and_p2_on_a_test_tenant_and_saves_nothing(client, org_a, priority):
    client.force_login(org_a.contact)
    response = file_ticket(client, org_a.test, priority=priority)
    assert response.status_code == 400
    body = response.content.decode()
    assert f"{priority} is reserved for incidents on production tenants" in body
    assert "alpha-test is a test tenant" in body
    assert Ticket.objects.count() == 0
    assert TicketEvent.objects.count() == 0


def test_an_incident_without_a_priority_defaults_to_p3(client, org_a, clock):
    submitted = clock.to(local(2026, 11, 17, 10, 0))  # a Tuesday
    client.force_login(org_a.contact)
    file_ticket(client, org_a.test, priority="")
    ticket = Ticket.objects.get()
    assert ticket.priority == "P3"
    assert ticket.targets.get(kind="initial_response").due_at == local(2026, 11, 18, 10, 0)
    assert not ticket.targets.filter(kind="resolution").exists()
    assert submitted.tzinfo is not None


def test_a_minor_service_request_has_no_priority_and_a_three_business_day_delivery(
    client, org_a, clock
):
    clock.to(local(2026, 11, 20, 15, 0))  # a Friday
    client.force_login(org_a.contact)
    file_ticket(
        client,
        org_a.prod,
        kind="service_request",
        priority="",
        request_size="minor",
        subject="Add 20 agents",
    )
    ticket = Ticket.objects.get()
    assert ticket.priority == ""
    assert ticket.request_size == "minor"
    delivery = ticket.targets.get(kind="delivery")
    assert delivery.due_at == local(2026, 11, 25, 15, 0)
    assert not ticket.targets.filter(kind="initial_response").exists()


def test_a_service_request_cannot_carry_a_priority(client, org_a):
    client.force_login(org_a.contact)
    response = file_ticket(
        client, org_a.prod, kind="service_request", priority="P2", request_size="minor"
    )
    assert response.status_code == 400
    assert "Service requests carry no incident priority." in response.content.decode()
    assert Ticket.objects.count() == 0


def test_a_tenant_of_another_organisation_is_refused(client, org_a, org_b):
    client.force_login(org_a.contact)
    response = file_ticket(client, org_b.prod, priority="P3")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_missing_subject_and_description_are_reported(client, org_a):
    client.force_login(org_a.contact)
    response = file_ticket(client, org_a.prod, subject="", description="")
    assert response.status_code == 400
    assert response.content.decode().count("This field is required.") == 2
    assert Ticket.objects.count() == 0


def test_the_form_lists_only_the_organisations_tenants_and_explains_p1(client, org_a, org_b):
    client.force_login(org_a.contact)
    body = client.get(reverse("tickets:create")).content.decode()
    assert "alpha-prod" in body and "alpha-test" in body
    assert "beta-prod" not in body
    assert "P1 and P2 are for incidents on production tenants only" in body


def test_support_staff_do_not_file_tickets(client, engineers):
    client.force_login(engineers["L1"])
    assert client.get(reverse("tickets:create")).status_code == 403


def test_a_screenshot_is_stored_under_a_generated_name(client, org_a):
    client.force_login(org_a.contact)
    shot = SimpleUploadedFile("screen shot.png", PNG, content_type="image/png")
    response = file_ticket(client, org_a.prod, attachments=shot)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "screen shot.png"
    assert attachment.content_type == "image/png"
    assert "screen" not in attachment.file.name and attachment.file.name.endswith(".png")
    assert attachment.event.kind == TicketEvent.Kind.CREATED


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.exe", b"MZ\x90\x00" + b"\x00" * 100, "is not a file type we accept"),
        (
            "photo.png",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 100,
            "contains application/pdf but is named .png",
        ),
        ("app.log", b"\x00\x01\x02binary", "is not a file type we accept"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_a_refused_attachment_saves_nothing(client, org_a, name, content, message):
    client.force_login(org_a.contact)
    good = SimpleUploadedFile("ok.log", b"2026-11-17 ERROR login failed\n")
    bad = SimpleUploadedFile(name, content)
    response = file_ticket(client, org_a.prod, attachments=[good, bad])
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Ticket.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_an_attachment_over_the_size_limit_is_refused(client, org_a, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    client.force_login(org_a.contact)
    big = SimpleUploadedFile("big.log", b"x" * 2048)
    response = file_ticket(client, org_a.prod, attachments=big)
    assert response.status_code == 400
    assert "attachments may be at most 1.0" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_the_priorities_offered_follow_the_organisations_policy(client, org_a):
    from django.core.management import call_command

    from sla.models import Policy

    call_command("loaddata", "seed_004_connect_engage", verbosity=0)
    org_a.org.sla_policy = Policy.objects.filter(targets__priority="P5").distinct().get()
    org_a.org.save()
    client.force_login(org_a.contact)
    body = client.get(reverse("tickets:create")).content.decode()
    assert 'value="P5"' in body
    response = file_ticket(client, org_a.prod, priority="P5")
    assert response.status_code == 302
    assert Ticket.objects.get().priority == "P5"


def test_a_priority_outside_the_policy_is_refused(client, org_a):
    client.force_login(org_a.contact)
    response = file_ticket(client, org_a.prod, priority="P5")
    assert response.status_code == 400
    assert Ticket.objects.count() == 0

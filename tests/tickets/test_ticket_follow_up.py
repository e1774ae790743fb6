"""'This happened again': a closed ticket's problem came back, and the customer files a
follow-up that names it."""

from django.urls import reverse

from tickets import services
from tickets.models import Ticket

from .helpers import act


def _closed(org, manager, **fields):
    ticket = services.ticket_create(
        submitter=org.contact,
        tenant_id=org.prod.pk,
        kind="incident",
        priority=fields.get("priority", "P2"),
        subject="Chat widget offline",
        description="Visitors see no chat button.",
        reference_id="CHAT-7",
    )
    services.ticket_resolve(
        ticket=ticket,
        actor=manager,
        resolution_type="resolution",
        summary="Restarted the chat service.",
        version=ticket.version,
    )
    ticket.refresh_from_db()
    services.ticket_confirm(ticket=ticket, actor=org.contact, version=ticket.version)
    ticket.refresh_from_db()
    return ticket


def test_a_customer_files_a_follow_up_of_a_closed_ticket(client, org_a, manager):
    old = _closed(org_a, manager)
    client.force_login(org_a.admin)
    page = client.get(reverse("tickets:detail", args=[old.pk])).content.decode()
    assert "Did this happen again?" in page
    response = act(client, old, "follow_up", description="Offline again since 09:10.")
    new = Ticket.objects.exclude(pk=old.pk).get()
    assert response["Location"] == reverse("tickets:detail", args=[new.pk])
    assert (new.follows, new.tenant, new.priority, new.kind) == (old, old.tenant, "P2", "incident")
    assert (new.submitter, new.subject, new.reference_id) == (
        org_a.admin,
        "Again: Chat widget offline",
        "CHAT-7",
    )
    assert new.description == "Offline again since 09:10."
    assert new.targets.filter(kind="initial_response").exists()
    old.refresh_from_db()
    assert old.status == "closed"
    old_page = client.get(reverse("tickets:detail", args=[old.pk])).content.decode()
    assert f'href="/tickets/{new.pk}/">#{new.pk} Again: Chat widget offline</a>' in old_page
    new_page = client.get(reverse("tickets:detail", args=[new.pk])).content.decode()
    assert f'This happened before: <a href="/tickets/{old.pk}/">#{old.pk}</a>' in new_page


def test_a_follow_up_needs_a_description_and_saves_nothing_without(client, org_a, manager):
    old = _closed(org_a, manager)
    client.force_login(org_a.contact)
    response = act(client, old, "follow_up", description="  ")
    assert response.status_code == 400
    assert Ticket.objects.count() == 1


def test_an_open_ticket_gets_no_follow_up(client, org_a):
    ticket = services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="incident",
        subject="Still open",
        description="x",
    )
    client.force_login(org_a.contact)
    response = act(client, ticket, "follow_up", description="Again.")
    assert response.status_code == 400
    assert Ticket.objects.count() == 1


def test_support_and_other_organisations_file_no_follow_up(client, org_a, org_b, manager):
    old = _closed(org_a, manager)
    client.force_login(manager)
    assert act(client, old, "follow_up", description="Again.").status_code == 403
    client.force_login(org_b.contact)
    assert act(client, old, "follow_up", description="Again.").status_code == 404
    assert Ticket.objects.count() == 1

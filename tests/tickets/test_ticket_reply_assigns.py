"""An engineer's first public reply assigns an unassigned ticket to them (issue 10)."""

from tickets import services
from tickets.models import TicketEvent

from .helpers import act


def _ticket(org):
    return services.ticket_create(
        submitter=org.contact,
        tenant_id=org.prod.pk,
        kind="incident",
        priority="P2",
        subject="Queue stuck",
        description="Calls wait forever.",
    )


def test_an_engineers_reply_to_an_unassigned_ticket_makes_it_theirs(client, org_a, engineers):
    ticket = _ticket(org_a)
    client.force_login(engineers["L1"])
    assert act(client, ticket, "reply", body="Looking at it now.").status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == engineers["L1"]
    event = ticket.events.get(kind=TicketEvent.Kind.ASSIGNED)
    assert (event.actor, event.public, event.data["to"]) == (
        engineers["L1"],
        False,
        "Engineer L1",
    )


def test_a_reply_leaves_an_assigned_ticket_with_its_assignee(org_a, engineers, manager):
    ticket = _ticket(org_a)
    services.ticket_assign(
        ticket=ticket, actor=manager, assignee=engineers["L1"], version=ticket.version
    )
    colleague = engineers["L1"].__class__.objects.create_user(
        email="l1b@support.example", full_name="Second L1", support_level="L1"
    )
    colleague.groups.set(engineers["L1"].groups.all())
    services.ticket_reply(ticket=ticket, author=colleague, body="Covering for Engineer L1.")
    ticket.refresh_from_db()
    assert ticket.assignee == engineers["L1"]
    assert ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED).count() == 1


def test_a_managers_reply_assigns_nobody(org_a, manager):
    ticket = _ticket(org_a)
    services.ticket_reply(ticket=ticket, author=manager, body="Managers answer too.")
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert not ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED).exists()

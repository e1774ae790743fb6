"""The whole life of a P1 through HTTP: filed, answered, escalated L1→L4, defect confirmed,
handed back, resolved with a workaround and confirmed, with the SLA state checked at each step."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse

from tickets.models import Ticket, TicketEvent

from .conftest import local
from .helpers import act, file_ticket, target


def test_a_p1_goes_up_the_ladder_and_is_resolved_with_a_workaround(
    client, org_a, engineers, clock, django_capture_on_commit_callbacks
):
    contact = org_a.contact
    filed = clock.to(local(2026, 11, 17, 10, 0))
    client.force_login(contact)
    file_ticket(client, org_a.prod, priority="P1", subject="Voice channel down")
    ticket = Ticket.objects.get()
    assert target(ticket, "initial_response").due_at == filed + timedelta(hours=1)
    assert target(ticket, "resolution").due_at == filed + timedelta(hours=4)

    # L1 takes the ticket and answers within the hour: initial response met, ORT cycle 1 starts.
    l1 = engineers["L1"]
    client.force_login(l1)
    clock.to(local(2026, 11, 17, 10, 15))
    assert act(client, ticket, "take").status_code == 302
    answered = clock.to(local(2026, 11, 17, 10, 20))
    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, ticket, "reply", body="We are looking at it now.")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "in_progress" and ticket.assignee == l1
    initial = target(ticket, "initial_response")
    assert (initial.state, initial.met_at) == ("met", answered)
    assert target(ticket, "ongoing_update", 1).due_at == answered + timedelta(hours=1)
    assert [m.to for m in mail.outbox] == [[contact.email]]

    # Up the ladder, each step with a reason.
    for level, at_minute in (("L1", 30), ("L2", 40), ("L3", 50)):
        client.force_login(engineers[level])
        clock.to(local(2026, 11, 17, 10, at_minute))
        response = act(client, ticket, "escalate", reason=f"{level} cannot solve it")
        assert response.status_code == 302, response.content.decode()
    ticket.refresh_from_db()
    assert ticket.level == "L4" and ticket.assignee is None

    l4 = engineers["L4"]
    client.force_login(l4)
    updated = clock.to(local(2026, 11, 17, 11, 0))
    act(client, ticket, "reply", body="Developers reproduced the fault.")
    assert target(ticket, "ongoing_update", 1).state == "met"
    assert target(ticket, "ongoing_update", 2).due_at == updated + timedelta(hours=1)

    clock.to(local(2026, 11, 17, 11, 10))
    assert (
        act(
            client, ticket, "confirm_product_defect", reason="Race condition in trunk registration"
        ).status_code
        == 302
    )
    ticket.refresh_from_db()
    assert ticket.product_defect is True
    # P1's ongoing update target is the same for defects; the cycle keeps its start.
    assert target(ticket, "ongoing_update", 2).due_at == updated + timedelta(hours=1)

    clock.to(local(2026, 11, 17, 11, 20))
    assert (
        act(
            client,
            ticket,
            "hand_back",
            reason="Fix scheduled; L2 applies the workaround",
            to_level="L2",
        ).status_code
        == 302
    )
    ticket.refresh_from_db()
    assert ticket.level == "L2"

    client.force_login(engineers["L2"])
    resolved = clock.to(local(2026, 11, 17, 11, 30))
    response = act(
        client,
        ticket,
        "resolve",
        resolution_type="workaround",
        summary="Route calls via the backup trunk.",
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution_type) == ("resolved", "workaround")
    resolution = target(ticket, "resolution")
    assert (resolution.state, resolution.met_at) == ("met", resolved)
    assert target(ticket, "ongoing_update", 2).state == "met"
    assert not ticket.targets.filter(state="pending").exists()
    assert ticket.next_due_at is None and ticket.sla_breached is False

    client.force_login(contact)
    clock.to(local(2026, 11, 17, 11, 45))
    assert act(client, ticket, "confirm").status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "closed"

    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds.count(TicketEvent.Kind.LEVEL_CHANGED) == 4
    assert kinds.count(TicketEvent.Kind.PUBLIC_REPLY) == 2
    assert TicketEvent.Kind.DEFECT_CONFIRMED in kinds
    assert TicketEvent.Kind.ASSIGNED in kinds
    reasons = list(
        ticket.events.filter(kind=TicketEvent.Kind.LEVEL_CHANGED).values_list("reason", flat=True)
    )
    assert reasons == [
        "L1 cannot solve it",
        "L2 cannot solve it",
        "L3 cannot solve it",
        "Fix scheduled; L2 applies the workaround",
    ]

    # The customer's page shows the public story, not the internal ladder.
    body = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "Route calls via the backup trunk." in body
    assert "Developers reproduced the fault." in body
    assert "L3 cannot solve it" not in body
    # Support sees all of it.
    client.force_login(engineers["L2"])
    body = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "L3 cannot solve it" in body and "Race condition in trunk registration" in body


def test_a_customer_reopens_a_resolved_ticket_and_support_owes_an_update(
    client, org_a, engineers, clock
):
    clock.to(local(2026, 11, 17, 10, 0))
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P2")
    ticket = Ticket.objects.get()
    client.force_login(engineers["L1"])
    clock.to(local(2026, 11, 17, 11, 0))
    act(client, ticket, "resolve", resolution_type="resolution", summary="Restarted the service.")
    client.force_login(org_a.contact)
    reopened = clock.to(local(2026, 11, 17, 12, 0))
    response = act(client, ticket, "reopen", reason="It failed again at 11:50.")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "in_progress" and ticket.resolution_type == ""
    last = ticket.targets.filter(kind="ongoing_update").order_by("-cycle").first()
    assert last.state == "pending" and last.due_at == reopened + timedelta(hours=6)


def test_a_customer_withdraws_their_own_ticket_and_its_targets_are_cancelled(client, org_a, clock):
    clock.to(local(2026, 11, 17, 10, 0))
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P3")
    ticket = Ticket.objects.get()
    response = act(client, ticket, "withdraw", reason="Solved it ourselves")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "withdrawn"
    assert set(ticket.targets.values_list("state", flat=True)) == {"cancelled"}
    assert ticket.next_due_at is None


def test_another_contact_of_the_organisation_cannot_withdraw_it(client, org_a):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P3")
    ticket = Ticket.objects.get()
    client.force_login(org_a.admin)
    response = act(client, ticket, "withdraw", reason="")
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == "new"

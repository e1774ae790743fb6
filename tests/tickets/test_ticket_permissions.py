"""Who may do what on a ticket page, and the messages when they may not."""

import pytest
from django.urls import reverse

from tickets.models import Ticket, TicketEvent

from .helpers import act, file_ticket


def _ticket(client, org):
    client.force_login(org.contact)
    file_ticket(client, org.prod, priority="P3")
    return Ticket.objects.get()


def test_an_engineer_cannot_act_on_a_ticket_at_another_level(client, org_a, engineers):
    ticket = _ticket(client, org_a)
    client.force_login(engineers["L2"])
    response = act(client, ticket, "escalate", reason="Trying")
    assert response.status_code == 403
    assert "is at L1; you work at L2" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.level == "L1"
    assert not ticket.events.filter(kind=TicketEvent.Kind.LEVEL_CHANGED).exists()


def test_a_manager_acts_at_every_level(client, org_a, manager):
    ticket = _ticket(client, org_a)
    client.force_login(manager)
    assert act(client, ticket, "escalate", reason="Needs L2").status_code == 302
    assert act(client, ticket, "escalate", reason="Needs L3").status_code == 302
    ticket.refresh_from_db()
    assert ticket.level == "L3"


def test_escalation_without_a_reason_is_refused(client, org_a, engineers):
    ticket = _ticket(client, org_a)
    client.force_login(engineers["L1"])
    response = act(client, ticket, "escalate", reason="")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.level == "L1"


def test_a_closed_ticket_cannot_be_resolved_again(client, org_a, engineers):
    ticket = _ticket(client, org_a)
    client.force_login(engineers["L1"])
    act(client, ticket, "resolve", resolution_type="resolution", summary="Fixed")
    act(client, ticket, "close")
    response = act(client, ticket, "resolve", resolution_type="resolution", summary="Again")
    assert response.status_code == 400
    assert "You cannot resolve a ticket that is closed at L1." in response.content.decode()
    assert ticket.events.filter(kind=TicketEvent.Kind.STATUS_CHANGED).count() == 2


def test_only_l4_confirms_a_product_defect(client, org_a, engineers):
    ticket = _ticket(client, org_a)
    client.force_login(engineers["L1"])
    response = act(client, ticket, "confirm_product_defect", reason="Looks like a bug")
    assert response.status_code == 400
    assert "Only L4 confirms product defects; ticket" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.product_defect is False


def test_an_l1_ticket_cannot_be_handed_further_down(client, org_a, engineers):
    ticket = _ticket(client, org_a)
    client.force_login(engineers["L1"])
    response = act(client, ticket, "hand_back", reason="No")
    assert response.status_code == 400
    assert "You cannot hand back a ticket that is new at L1." in response.content.decode()


def test_customers_cannot_use_support_actions(client, org_a):
    ticket = _ticket(client, org_a)
    response = act(client, ticket, "resolve", resolution_type="resolution", summary="Done")
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_support_cannot_use_customer_actions(client, org_a, engineers):
    ticket = _ticket(client, org_a)
    client.force_login(engineers["L1"])
    assert act(client, ticket, "withdraw", reason="").status_code == 403


def test_an_unknown_action_is_not_found(client, org_a):
    ticket = _ticket(client, org_a)
    response = client.post(reverse("tickets:action", args=[ticket.pk, "explode"]))
    assert response.status_code == 404


def test_actions_are_post_only(client, org_a, engineers):
    ticket = _ticket(client, org_a)
    client.force_login(engineers["L1"])
    assert client.get(reverse("tickets:action", args=[ticket.pk, "escalate"])).status_code == 405


def test_the_page_offers_only_allowed_actions(client, org_a, engineers):
    ticket = _ticket(client, org_a)
    client.force_login(engineers["L1"])
    body = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'id="action-escalate"' in body and 'id="action-take"' in body
    assert 'id="action-hand_back"' not in body and 'id="action-confirm_product_defect"' not in body
    client.force_login(engineers["L2"])
    body = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'id="action-escalate"' not in body
    client.force_login(org_a.contact)
    body = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'id="action-withdraw"' in body and 'id="action-customer_reply"' in body
    assert 'id="action-note"' not in body


def test_customers_never_see_internal_notes(client, org_a, engineers):
    ticket = _ticket(client, org_a)
    client.force_login(engineers["L1"])
    act(client, ticket, "note", body="Customer config looks odd")
    client.force_login(org_a.contact)
    body = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "Customer config looks odd" not in body


def test_a_customer_lists_only_their_organisations_tickets(
    client, org_a, org_b, django_assert_max_num_queries
):
    _ticket(client, org_b)
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P4", subject="Our own ticket")
    with django_assert_max_num_queries(10):
        body = client.get(reverse("tickets:list")).content.decode()
    assert "Our own ticket" in body
    assert "Agents cannot log in" not in body


def _service_request(client, org):
    client.force_login(org.contact)
    file_ticket(client, org.prod, kind="service_request", request_size="planned")
    return Ticket.objects.get()


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("reclassify", {"priority": "P2", "reason": "Looks worse"}),
        ("reply", {"body": "Hello from L3"}),
        ("wait_for_customer", {"message": "Logs?"}),
        ("take", {}),
        ("assign", {}),
    ],
)
def test_an_engineer_of_another_level_is_refused_every_ladder_action(
    client, org_a, engineers, action, data
):
    ticket = _ticket(client, org_a)
    before = (ticket.version, ticket.events.count(), ticket.targets.count())
    client.force_login(engineers["L3"])
    response = act(client, ticket, action, **data)
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert (ticket.version, ticket.events.count(), ticket.targets.count()) == before
    assert ticket.priority == "P3"


def test_an_engineer_of_another_level_cannot_resume_a_waiting_ticket(client, org_a, engineers):
    ticket = _ticket(client, org_a)
    client.force_login(engineers["L1"])
    act(client, ticket, "wait_for_customer", message="Which queue?")
    client.force_login(engineers["L2"])
    response = act(client, ticket, "resume")
    assert response.status_code == 403
    assert "is at L1; you work at L2" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "waiting"


def test_an_engineer_of_another_level_cannot_agree_a_delivery_date(client, org_a, engineers):
    ticket = _service_request(client, org_a)
    client.force_login(engineers["L2"])
    response = act(client, ticket, "agree_delivery", delivery_at="2030-01-10T12:00", note="")
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.agreed_delivery_at is None


def test_a_manager_assigns_only_engineers_of_the_tickets_level(client, org_a, engineers, manager):
    ticket = _ticket(client, org_a)
    client.force_login(manager)
    response = act(client, ticket, "assign", assignee=engineers["L3"].pk)
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert act(client, ticket, "assign", assignee=engineers["L1"].pk).status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == engineers["L1"]

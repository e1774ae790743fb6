"""The take button on unassigned rows posts the ticket page's own "take" action."""

import re

import pytest
from django.urls import reverse

from tickets.models import Ticket, TicketEvent

from .queue_helpers import assigned, escalated, open_ticket, queue_url, start_queue_test

TAKE_FORM = re.compile(
    r'<form method="post" action="(/tickets/(\d+)/do/take/)" class="inline take-form">'
    r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">'
    r'<input type="hidden" name="take-version" value="(\d+)">'
)


@pytest.fixture(autouse=True)
def _now(clock):
    start_queue_test(clock)


def take_forms(response) -> dict[int, tuple[str, str, str]]:
    """Ticket id -> (action URL, CSRF token, version) of each take button on the page."""
    return {
        int(pk): (action, token, version)
        for action, pk, token, version in TAKE_FORM.findall(response.content.decode())
    }


def test_only_unassigned_tickets_at_the_engineers_level_have_a_take_button(
    client, org_a, engineers
):
    free = open_ticket(org_a)
    taken = assigned(open_ticket(org_a), engineers["L1"])
    higher = escalated(open_ticket(org_a), engineers, "L2")
    client.force_login(engineers["L1"])
    forms = take_forms(client.get(queue_url(level="")))
    assert set(forms) == {free.pk}
    assert taken.pk not in forms and higher.pk not in forms


def test_a_manager_assigns_from_the_ticket_page_instead(client, org_a, manager):
    open_ticket(org_a)
    client.force_login(manager)
    assert take_forms(client.get(reverse("queue:list"))) == {}


def test_taking_a_ticket_from_the_queue_assigns_it_to_me(client, org_a, engineers):
    ticket = open_ticket(org_a)
    engineer = engineers["L1"]
    client.force_login(engineer)
    client.handler.enforce_csrf_checks = True
    action, token, version = take_forms(client.get(reverse("queue:list")))[ticket.pk]
    response = client.post(action, {"csrfmiddlewaretoken": token, "take-version": version})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == engineer
    assert ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED, actor=engineer).exists()
    assert take_forms(client.get(reverse("queue:list"))) == {}


def test_a_stale_take_button_is_refused_and_changes_nothing(client, org_a, engineers):
    ticket = open_ticket(org_a)
    client.force_login(engineers["L1"])
    action, token, version = take_forms(client.get(reverse("queue:list")))[ticket.pk]
    Ticket.objects.filter(pk=ticket.pk).update(version=int(version) + 1)
    response = client.post(action, {"take-version": version}, follow=True)
    assert b"changed while you were looking at it" in response.content
    ticket.refresh_from_db()
    assert ticket.assignee is None

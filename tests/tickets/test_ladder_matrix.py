"""The ladder matrix: for every action of the ticket page, every person (engineers at L1–L4, a
manager, the submitter, another contact of the organisation, a contact of another organisation)
and tickets at every level in every open and resolved state, the page offers the action exactly
when its service accepts it. Both ask ``tickets.permissions``; this proves nothing else
disagrees (a template condition, a view check, a service shortcut)."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tickets import services
from tickets.models import Ticket
from tickets.views import ACTIONS

ACTION_URL = re.compile(r"/tickets/\d+/do/([a-z_]+)/")


class _Undo(Exception):
    pass


def _accepted(action: str, ticket: Ticket, user, engineers) -> bool:
    """Whether the service behind ``action`` accepts it for ``user`` (undone afterwards)."""
    data = {
        "body": "A message.",
        "attachments": [],
        "next_update_at": None,
        "reason": "Because.",
        "message": "Could you send the logs?",
        "resolution_type": "workaround",
        "summary": "Restarted the service.",
        "note": "",
        "version": ticket.version,
        "to_level": None,
        "assignee": engineers.get(ticket.level),
        "priority": "P2" if ticket.priority != "P2" else "P3",
        "delivery_at": timezone.now() + timedelta(days=3),
        "description": "It happened again this morning.",
    }
    try:
        with transaction.atomic():
            ACTIONS[action].run(Ticket.objects.get(pk=ticket.pk), user, data)
            raise _Undo
    except _Undo:
        return True
    except (PermissionDenied, ValidationError):
        return False


def _offered(client, ticket: Ticket, user) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("tickets:detail", args=[ticket.pk]))
    if response.status_code == 404:
        return set()
    assert response.status_code == 200
    return set(ACTION_URL.findall(response.content.decode()))


def _ticket(org, manager, *, level: str, status: str, kind: str = "incident") -> Ticket:
    ticket = services.ticket_create(
        submitter=org.contact,
        tenant_id=org.prod.pk,
        kind=kind,
        priority="P3" if kind == "incident" else "",
        request_size="planned" if kind == "service_request" else "",
        subject=f"{kind} at {level}, {status}",
        description="For the ladder matrix.",
    )

    def fresh():
        return Ticket.objects.get(pk=ticket.pk)

    for _ in range(["L1", "L2", "L3", "L4"].index(level)):
        services.ticket_escalate(
            ticket=fresh(), actor=manager, reason="Next level", version=fresh().version
        )
    if status != "new":
        services.ticket_reply(ticket=fresh(), author=manager, body="Looking into it.")
    if status == "waiting":
        services.ticket_wait_for_customer(
            ticket=fresh(), actor=manager, message="Logs?", version=fresh().version
        )
    if status in ("resolved", "closed"):
        services.ticket_resolve(
            ticket=fresh(),
            actor=manager,
            resolution_type="resolution",
            summary="Fixed.",
            version=fresh().version,
        )
    if status == "closed":
        services.ticket_confirm(ticket=fresh(), actor=org.contact, version=fresh().version)
    return fresh()


CASES = [
    *[
        (level, status, "incident")
        for level in ("L1", "L2", "L3", "L4")
        for status in ("in_progress", "waiting", "resolved")
    ],
    ("L1", "new", "incident"),
    ("L2", "closed", "incident"),
    ("L2", "in_progress", "service_request"),
]


@pytest.mark.parametrize(("level", "status", "kind"), CASES)
def test_the_page_offers_exactly_what_the_services_accept(
    client, org_a, org_b, engineers, manager, level, status, kind
):
    ticket = _ticket(org_a, manager, level=level, status=status, kind=kind)
    people = {
        **{f"engineer {lvl}": user for lvl, user in engineers.items()},
        "manager": manager,
        "submitter": org_a.contact,
        "other contact": org_a.admin,
        "other organisation": org_b.contact,
    }
    mismatches = []
    for who, user in people.items():
        offered = _offered(client, ticket, user)
        accepted = {name for name in ACTIONS if _accepted(name, ticket, user, engineers)}
        if offered != accepted:
            mismatches.append((who, sorted(offered - accepted), sorted(accepted - offered)))
    assert mismatches == [], "(who, offered but refused, accepted but not offered)"


def test_the_matrix_is_not_vacuous(client, org_a, engineers, manager):
    """Spot checks of the ladder rule the matrix compares."""
    ticket = _ticket(org_a, manager, level="L2", status="in_progress")
    assert {"reply", "escalate", "reclassify", "take"} <= _offered(client, ticket, engineers["L2"])
    assert _offered(client, ticket, engineers["L3"]) == {"note"}
    assert not _accepted("reclassify", ticket, engineers["L3"], engineers)
    assert "take" not in _offered(client, ticket, manager)
    assert "assign" in _offered(client, ticket, manager)
    closed = _ticket(org_a, manager, level="L1", status="closed")
    assert "follow_up" in _offered(client, closed, org_a.contact)
    assert "follow_up" not in _offered(client, closed, engineers["L1"])

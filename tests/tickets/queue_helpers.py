"""Building queue states and reading the queue page back, for the queue's tests."""

import re
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.urls import reverse

from tickets import services
from tickets.models import Ticket

from .conftest import local

# Tuesday 10 March 2026, 10:00 in Helsinki: inside business hours, no holiday near.
NOW = local(2026, 3, 10, 10, 0)

ROW_ID = re.compile(r'<tr[^>]*\bdata-ticket="(\d+)"')
SAVED_VIEW = re.compile(r'<li><a href="\?([^"]*)"(?: aria-current="page")?>([^<]+)</a></li>')


def open_ticket(
    org,
    *,
    priority: str = "P3",
    kind: str = "incident",
    tenant=None,
    subject: str = "Agents cannot log in",
    reference_id: str = "",
    at: datetime | None = None,
) -> Ticket:
    """A ticket filed by ``org``'s contact at ``at`` (default ``NOW``), through the service."""
    return services.ticket_create(
        submitter=org.contact,
        tenant_id=(tenant or org.prod).pk,
        kind=kind,
        priority="" if kind == Ticket.Kind.SERVICE_REQUEST else priority,
        subject=subject,
        description="Found in the queue tests.",
        reference_id=reference_id,
        now=at or NOW,
    )


def overdue_ticket(org, **fields) -> Ticket:
    """A P1 filed two hours ago: its 60-minute initial response is an hour late."""
    return open_ticket(org, priority="P1", at=NOW - timedelta(hours=2), **fields)


def escalated(ticket: Ticket, engineers, to_level: str) -> Ticket:
    while ticket.level != to_level:
        ticket = services.ticket_escalate(
            ticket=ticket,
            actor=engineers[ticket.level],
            reason="Needs the next level.",
            version=ticket.version,
            now=NOW,
        )
    return ticket


def assigned(ticket: Ticket, engineer) -> Ticket:
    return services.ticket_assign(
        ticket=ticket, actor=engineer, assignee=engineer, version=ticket.version, now=NOW
    )


def waiting(ticket: Ticket, engineer) -> Ticket:
    return services.ticket_wait_for_customer(
        ticket=ticket,
        actor=engineer,
        message="Which agents are affected?",
        version=ticket.version,
        now=NOW,
    )


def queue_url(**params) -> str:
    return f"{reverse('queue:list')}?{urlencode(params, doseq=True)}"


def row_ids(response) -> list[int]:
    """The ticket ids of the queue page's rows, in order."""
    assert response.status_code == 200, response.status_code
    return [int(pk) for pk in ROW_ID.findall(response.content.decode())]


def saved_view_links(response) -> dict[str, str]:
    """Saved view label -> its query string, as the page links them."""
    html = response.content.decode()
    nav = html.split('aria-label="Saved views"', 1)[1].split("</nav>", 1)[0]
    return {label: query.replace("&amp;", "&") for query, label in SAVED_VIEW.findall(nav)}

"""Building queue states and reading the queue page back, for the queue's tests."""

import re
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.core.cache import cache
from django.urls import reverse

from tickets import services
from tickets.models import Ticket

from ..conftest import local

# Tuesday 10 March 2026, 10:00 in Helsinki: inside business hours, no holiday near.
NOW = local(2026, 3, 10, 10, 0)

ROW_ID = re.compile(r'<tr[^>]*\bdata-ticket="(\d+)"')
SAVED_VIEW = re.compile(r'<li><a href="\?([^"]*)"(?: aria-current="page")?>([^<]+)</a></li>')


def start_queue_test(clock) -> None:
    """Stop the clock at ``NOW`` and forget what the queue keeps between requests (navigation
    counts, the organisation list), which an earlier test's data would otherwise fill."""
    cache.clear()
    clock.to(NOW)


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
    return services.ticket_take(ticket=ticket, actor=engineer, version=ticket.version, now=NOW)


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


def add_tickets(
    org,
    count: int,
    *,
    engineer,
    start: int = 0,
    levels: tuple[str, ...] = ("L1",),
    open_every: int = 1,
) -> None:
    """``count`` tickets for ``org`` written in bulk, bypassing the services: a mix of
    priorities, kinds, tenants, statuses and assignees, with deadlines from overdue to next
    week. Every ``open_every``-th ticket is open, the others closed."""
    statuses = [Ticket.Status.NEW, Ticket.Status.IN_PROGRESS, Ticket.Status.WAITING]
    rows = []
    for n in range(start, start + count):
        is_open = n % open_every == 0
        k = n // open_every  # varies the open tickets' fields among themselves
        request = k % 10 == 9
        production = k % 4 != 3
        priority = "" if request else ("P1", "P2", "P3", "P4")[k % 4 if production else 2 + k % 2]
        rows.append(
            Ticket(
                organisation=org.org,
                tenant=org.prod if production else org.test,
                kind=Ticket.Kind.SERVICE_REQUEST if request else Ticket.Kind.INCIDENT,
                priority=priority,
                request_size="minor" if request else "",
                subject=f"Bulk ticket {n}",
                description="Written in bulk for the query count tests.",
                reference_id=f"BULK-{n:06d}",
                submitter=org.contact,
                assignee=engineer if k % 3 == 0 else None,
                level=levels[k % len(levels)],
                status=statuses[k % 3] if is_open else Ticket.Status.CLOSED,
                created_at=NOW - timedelta(minutes=n % 5000),
                updated_at=NOW - timedelta(minutes=n % 700),
                next_due_at=NOW + timedelta(minutes=(n * 37) % 20000 - 3000)
                if n % 7 and is_open
                else None,
            )
        )
    Ticket.objects.bulk_create(rows, batch_size=2000)

from django.urls import reverse

from tickets.models import Ticket


def file_ticket(client, tenant, **fields):
    data = {
        "tenant": tenant.pk,
        "kind": "incident",
        "priority": "",
        "request_size": "",
        "subject": "Agents cannot log in",
        "description": "Since 09:40 no agent can log in to Communication Panel.",
        "reference_id": "",
        "impact": "",
    }
    data.update(fields)
    return client.post(reverse("tickets:create"), data)


def act(client, ticket, action, **data):
    """POST an action form of the ticket page, with the version the page would carry."""
    ticket.refresh_from_db()
    payload = {f"{action}-{key}": value for key, value in data.items()}
    payload.setdefault(f"{action}-version", ticket.version)
    return client.post(reverse("tickets:action", args=[ticket.pk, action]), payload)


def target(ticket: Ticket, kind: str, cycle: int = 1, revision: int | None = None):
    """The ticket's target row of ``kind`` and ``cycle``: its latest measurement, or the given
    ``revision``."""
    rows = ticket.targets.filter(kind=kind, cycle=cycle)
    if revision is not None:
        return rows.get(revision=revision)
    return rows.order_by("-revision").first()

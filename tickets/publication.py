"""What a ticket tells the customer's own systems: the timeline events that are published as
``events`` rows (and so as webhooks), with the data a receiver gets.

The one hook of the tickets app towards integrations: services, the target book and the SLA
sweep hand every timeline event they write to ``publish`` in the same transaction. Only
customer-facing facts go out; internal notes, assignments and SLA bookkeeping other than
warnings and breaches stay inside.
"""

from collections.abc import Iterable

from events.models import EventType
from events.services import EventRecord, event_record

from .models import Ticket, TicketEvent

Kind = TicketEvent.Kind
TYPES = {
    Kind.CREATED: EventType.TICKET_CREATED,
    Kind.PUBLIC_REPLY: EventType.TICKET_REPLIED,
    Kind.CUSTOMER_REPLY: EventType.TICKET_REPLIED,
    Kind.STATUS_CHANGED: EventType.TICKET_STATUS_CHANGED,
    Kind.SLA_WARNING: EventType.TICKET_SLA_WARNING,
    Kind.SLA_BREACHED: EventType.TICKET_SLA_BREACHED,
}
_STATUS_BY_LABEL = {str(status.label): status.value for status in Ticket.Status}


def publish(timeline: Iterable[TicketEvent]) -> None:
    """Record the published events among ``timeline`` (saved events of any tickets)."""
    events = [e for e in timeline if e.kind in TYPES]
    if not events:
        return
    # Services hand events whose ticket is loaded; the sweep's carry only the ticket id.
    unknown = {e.ticket_id for e in events if not TicketEvent.ticket.is_cached(e)}
    organisations = dict(
        Ticket.objects.filter(pk__in=unknown).values_list("pk", "organisation_id")
        if unknown
        else ()
    )
    event_record(
        EventRecord(
            organisation_id=(
                e.ticket.organisation_id
                if TicketEvent.ticket.is_cached(e)
                else organisations[e.ticket_id]
            ),
            type=TYPES[e.kind],
            ticket_id=e.ticket_id,
            occurred_at=e.at,
            data=_data(e),
        )
        for e in events
    )


def _data(event: TicketEvent) -> dict:
    data = event.data or {}
    if event.kind == Kind.CREATED:
        ticket = event.ticket if TicketEvent.ticket.is_cached(event) else None
        if ticket is None:
            return {"priority": data.get("priority", "")}
        return {
            "subject": ticket.subject,
            "kind": ticket.kind,
            "priority": ticket.priority,
            "tenant": ticket.tenant.name,
            "status": ticket.status,
        }
    if event.kind in (Kind.PUBLIC_REPLY, Kind.CUSTOMER_REPLY):
        return {
            "from": "support" if event.kind == Kind.PUBLIC_REPLY else "customer",
            "author": event.actor.full_name if event.actor else "",
            "body": event.body,
        }
    if event.kind == Kind.STATUS_CHANGED:
        return {
            "from": _STATUS_BY_LABEL.get(data.get("from", ""), ""),
            "to": _STATUS_BY_LABEL.get(data.get("to", ""), ""),
            # What support wrote to the customer with the change; internal changes say nothing.
            "message": event.body if event.public else "",
            "reason": event.reason if event.public else "",
        }
    return {
        "target": data.get("target", ""),
        "target_kind": data.get("kind", ""),
        "cycle": data.get("cycle"),
        "due_at": data.get("due_at"),
    }

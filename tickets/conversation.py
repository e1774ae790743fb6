"""A ticket's timeline as a conversation: what support and the customer wrote (replies, the
question support asked when it started waiting, the resolution) as messages, and what merely
happened (status, priority, level, SLA bookkeeping) as short lines. Pages display these entries;
every wording is decided here, for the person reading (``viewer``): a customer reads "you" and
plain words, support staff also see internal notes and the SLA bookkeeping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lib.formatting import when

from .models import Ticket, TicketEvent

Kind = TicketEvent.Kind
Status = Ticket.Status


@dataclass
class Entry:
    event: TicketEvent
    title: str
    body: str = ""
    # "message" (someone wrote to someone) or "line" (something happened)
    style: str = "line"
    # who it comes from, for the message's colour: "from-support", "from-customer", "internal"
    side: str = ""
    details: list[str] = field(default_factory=list)

    @property
    def attachments(self):
        return self.event.attachments.all()


@dataclass
class Conversation:
    entries: list[Entry]
    # Support's latest question while waiting, and the latest resolution: the customer's next
    # step quotes them.
    question: Entry | None = None
    resolution: Entry | None = None


def _instant(value: str | None) -> str:
    if not value:
        return ""
    try:
        return when(datetime.fromisoformat(value))
    except ValueError:
        return value


class _Words:
    def __init__(self, viewer):
        self.viewer = viewer
        self.staff = bool(getattr(viewer, "is_support_staff", False))

    def who(self, actor) -> str:
        if actor is None:
            return "The portal"
        if self.viewer is not None and actor.pk == self.viewer.pk:
            return "You"
        name = actor.full_name or actor.email
        if actor.organisation_id is None and not self.staff:
            return f"{name} (support)"
        return name

    def the_customer(self) -> str:
        return "the customer" if self.staff else "you"


def _status_entry(event: TicketEvent, words: _Words) -> Entry:
    data = event.data or {}
    old, new = data.get("from", ""), data.get("to", "")
    who = words.who(event.actor)
    if new == Status.WAITING.label and event.body:
        return Entry(
            event,
            f"{who} asked {words.the_customer()}",
            event.body,
            "message",
            "from-support",
            ["The clocks for updates and the solution wait for the answer."]
            if not words.staff
            else ["Update and resolution clocks paused."],
        )
    if new == Status.RESOLVED.label:
        resolved_with = (data.get("resolution_type") or "a resolution").lower()
        return Entry(
            event,
            f"{who} resolved the ticket with {'an' if resolved_with[0] in 'aeiou' else 'a'} "
            f"{resolved_with}",
            event.body,
            "message",
            "from-support",
        )
    if old == Status.RESOLVED.label and new == Status.IN_PROGRESS.label:
        return Entry(event, f"{who} reopened the ticket", event.reason, "message", "from-customer")
    if new == Status.CLOSED.label and event.reason:
        return Entry(event, f"{who} confirmed the resolution; the ticket is closed")
    if new == Status.CLOSED.label:
        return Entry(event, f"{who} closed the ticket")
    if new == Status.WITHDRAWN.label:
        entry = Entry(event, f"{who} withdrew the ticket")
        if event.reason:
            entry.details.append(event.reason)
        return entry
    if old == Status.WAITING.label and new == Status.IN_PROGRESS.label:
        return Entry(event, "Back in progress: support works on the ticket again")
    entry = Entry(event, f"{who} changed the status from {old or '–'} to {new}")
    if event.body:
        entry.body = event.body
    if event.reason:
        entry.details.append(f"Reason: {event.reason}")
    return entry


def entry_of(event: TicketEvent, viewer, words: _Words | None = None) -> Entry:
    """The entry ``viewer`` reads for ``event`` (``words``: the viewer's, once per page)."""
    words = words or _Words(viewer)
    data = event.data or {}
    who = words.who(event.actor)
    kind = event.kind
    if kind == Kind.CREATED:
        # The description is shown once, at the top of the page, not again here.
        return Entry(event, f"{who} filed the ticket")
    if kind == Kind.PUBLIC_REPLY:
        entry = Entry(event, f"{who} wrote", event.body, "message", "from-support")
        if data.get("next_update_at"):
            entry.details.append(
                f"Next update agreed for {_instant(data['next_update_at'])}"
                if words.staff
                else f"Next update from support by {_instant(data['next_update_at'])}, as agreed"
            )
        return entry
    if kind == Kind.CUSTOMER_REPLY:
        return Entry(event, f"{who} wrote", event.body, "message", "from-customer")
    if kind == Kind.INTERNAL_NOTE:
        return Entry(event, f"{who} added an internal note", event.body, "message", "internal")
    if kind == Kind.STATUS_CHANGED:
        return _status_entry(event, words)
    if kind == Kind.PRIORITY_CHANGED:
        entry = Entry(
            event, f"{who} changed the priority from {data.get('from') or '–'} to {data.get('to')}"
        )
        if event.reason:
            entry.details.append(f"Reason: {event.reason}")
        return entry
    if kind == Kind.LEVEL_CHANGED:
        order = ["L1", "L2", "L3", "L4"]
        up = order.index(data.get("to", "L1")) > order.index(data.get("from", "L1"))
        verb = "escalated the ticket" if up else "handed the ticket back"
        entry = Entry(event, f"{who} {verb} from {data.get('from')} to {data.get('to')}")
        if event.reason:
            entry.details.append(f"Reason: {event.reason}")
        return entry
    if kind == Kind.ASSIGNED:
        to = data.get("to") or "unassigned"
        if event.actor is not None and to == event.actor.full_name:
            entry = Entry(event, f"{who} took the ticket")
        elif to == "unassigned":
            entry = Entry(event, f"{who} left the ticket unassigned")
        else:
            entry = Entry(event, f"{who} assigned the ticket to {to}")
        if event.reason:
            entry.details.append(event.reason)
        return entry
    if kind == Kind.DEFECT_CONFIRMED:
        entry = Entry(
            event, f"{who} confirmed a product defect", event.body, "message", "from-support"
        )
        if words.staff and event.reason:
            entry.details.append(f"Reason: {event.reason}")
        return entry
    if kind == Kind.DELIVERY_AGREED:
        return Entry(
            event,
            f"{who} agreed the delivery for {_instant(data.get('delivery_at'))}",
            event.body,
            "message",
            "from-support",
        )
    if kind in (Kind.SLA_MET, Kind.SLA_WARNING, Kind.SLA_BREACHED):
        what = {Kind.SLA_MET: "met", Kind.SLA_WARNING: "nearly due", Kind.SLA_BREACHED: "missed"}
        entry = Entry(event, f"SLA: {data.get('target', 'target')} {what[kind]}")
        if event.body:
            entry.details.append(event.body)
        return entry
    if kind == Kind.OUTAGE:
        return Entry(event, event.body or "Outage recorded")
    if kind == Kind.EDITED:
        changed = ", ".join(sorted((data.get("changes") or {}).keys())) or "details"
        return Entry(event, f"{who} edited the {changed.replace('_', ' ')}")
    return Entry(event, event.get_kind_display(), event.body)


def conversation(events, viewer) -> Conversation:
    """The entries of ``events`` (already limited to what ``viewer`` may see) in order."""
    words = _Words(viewer)
    result = Conversation([entry_of(event, viewer, words) for event in events])
    for entry in result.entries:
        data = entry.event.data or {}
        if entry.event.kind != Kind.STATUS_CHANGED:
            continue
        if data.get("to") == Status.WAITING.label and entry.body:
            result.question = entry
        if data.get("to") == Status.RESOLVED.label:
            result.resolution = entry
    return result

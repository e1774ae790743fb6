"""Email to people about their tickets. Services call these inside their transaction; the
outbox sends nothing for a change that was rolled back.

Who hears of what (SPEC "Periodic jobs", issue "tell the right people at once"):

- the submitter: an acknowledgement when the ticket is filed (its number and the first
  deadline), and every public reply or status change by support;
- a P1 or P2 filed, or raised to P1 or P2: the on-duty level's engineers at once (L1 works
  critical incidents 24/7), and for a P1 the support managers too;
- a ticket escalated or handed back: the engineers of the level it arrives at;
- a customer's reply: the assignee, or the engineers of the ticket's level.

Each person gets only the kinds of mail they chose (``tenants.preferences``; P1 alerts stay on
for the on-duty level and managers), with times in their own time zone.
"""

from lib.urls import absolute_reverse
from outbox.services import mail_enqueue
from tenants.preferences import ON_DUTY_LEVEL, Mail, mail_to
from tenants.roles import engineers, managers

from .models import Ticket, TicketEvent, TicketTarget

CRITICAL_PRIORITIES = ("P1", "P2")


def _ticket_url(ticket: Ticket) -> str:
    return absolute_reverse("tickets:detail", ticket.pk)


def _context(ticket: Ticket, **extra) -> dict:
    return {"ticket": ticket, "url": _ticket_url(ticket), **extra}


def ticket_filed(ticket: Ticket) -> None:
    """Acknowledge a new ticket to its submitter with the first deadline support owes them;
    page the on-duty engineers for a P1 or P2."""
    first = (
        ticket.targets.filter(state=TicketTarget.State.PENDING)
        .exclude(due_at__isnull=True)
        .order_by("due_at")
        .first()
    )
    mail_enqueue(
        mail_to(
            [ticket.submitter],
            Mail.FILED,
            subject=f"[{ticket.number}] Received: {ticket.subject}",
            template="tickets/email/ticket_filed.txt",
            context=_context(ticket, first=first),
        )
    )
    if ticket.priority in CRITICAL_PRIORITIES:
        critical_incident(ticket, raised_from="")


def critical_incident(ticket: Ticket, *, raised_from: str) -> None:
    """A P1 or P2 to act on now: the on-duty level's engineers, and the managers for a P1."""
    people = list(engineers(ON_DUTY_LEVEL))
    if ticket.priority == "P1":
        people += list(managers())
    how = f"raised from {raised_from} to" if raised_from else "filed as"
    mail_enqueue(
        mail_to(
            people,
            Mail.CRITICAL,
            priority=ticket.priority,
            subject=f"[{ticket.number}] {ticket.priority} {how.split(' ')[0]}: {ticket.subject}",
            template="tickets/email/critical_incident.txt",
            context=_context(ticket, how=how),
        )
    )


def priority_changed(ticket: Ticket, old: str) -> None:
    """Page the on-duty engineers when a ticket becomes critical (or more critical)."""
    if ticket.priority in CRITICAL_PRIORITIES and (
        old not in CRITICAL_PRIORITIES or ticket.priority < old
    ):
        critical_incident(ticket, raised_from=old)


def level_changed(ticket: Ticket, event: TicketEvent) -> None:
    """A ticket escalated or handed back: the engineers of the level it arrives at."""
    mail_enqueue(
        mail_to(
            engineers(ticket.level),
            Mail.ESCALATIONS,
            priority=ticket.priority,
            subject=f"[{ticket.number}] Now at {ticket.level}: {ticket.subject}",
            template="tickets/email/level_changed.txt",
            context=_context(ticket, event=event),
        )
    )


def customer_update(ticket: Ticket, event: TicketEvent) -> None:
    """A public reply or status change by support: tell the customer who filed the ticket."""
    mail_enqueue(
        mail_to(
            [ticket.submitter],
            Mail.TICKET_UPDATES,
            subject=f"[{ticket.number}] {ticket.subject}",
            template="tickets/email/customer_update.txt",
            context=_context(ticket, event=event),
        )
    )


def support_customer_reply(ticket: Ticket, event: TicketEvent) -> None:
    """The customer replied: tell the assignee, or the engineers of the ticket's level."""
    if ticket.assignee_id and ticket.assignee.is_active:
        people = [ticket.assignee]
    else:
        people = engineers(ticket.level)
    mail_enqueue(
        mail_to(
            people,
            Mail.CUSTOMER_REPLIES,
            priority=ticket.priority,
            subject=f"[{ticket.number}] Customer replied: {ticket.subject}",
            template="tickets/email/support_customer_reply.txt",
            context=_context(ticket, event=event),
        )
    )

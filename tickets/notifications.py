"""Email to people about their tickets. Services call these inside their transaction; the
outbox sends nothing for a change that was rolled back."""

from lib.mail import compose
from lib.urls import absolute_reverse
from outbox.services import mail_enqueue
from tenants.roles import engineers


def _ticket_url(ticket) -> str:
    return absolute_reverse("tickets:detail", ticket.pk)


def _send(subject: str, template: str, context: dict, recipients: list[str]) -> None:
    mail_enqueue([compose(subject=subject, template=template, context=context, to=recipients)])


def customer_update(ticket, event) -> None:
    """A public reply or status change by support: tell the customer who filed the ticket."""
    if not ticket.submitter.is_active:
        return
    _send(
        f"[{ticket.number}] {ticket.subject}",
        "tickets/email/customer_update.txt",
        {"ticket": ticket, "event": event, "url": _ticket_url(ticket)},
        [ticket.submitter.email],
    )


def support_customer_reply(ticket, event) -> None:
    """The customer replied: tell the assignee, or the engineers of the ticket's level."""
    if ticket.assignee_id and ticket.assignee.is_active:
        recipients = [ticket.assignee.email]
    else:
        recipients = list(engineers(ticket.level).values_list("email", flat=True))
    _send(
        f"[{ticket.number}] Customer replied: {ticket.subject}",
        "tickets/email/support_customer_reply.txt",
        {"ticket": ticket, "event": event, "url": _ticket_url(ticket)},
        recipients,
    )

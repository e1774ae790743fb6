"""Email to people about their tickets. Called through ``transaction.on_commit`` by services,
so nothing is sent for a change that was rolled back."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

logger = logging.getLogger(__name__)


def _ticket_url(ticket) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("tickets:detail", args=[ticket.pk])


def _send(subject: str, template: str, context: dict, recipients: list[str]) -> None:
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return
    body = render_to_string(template, context)
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # a mail outage must not turn a saved change into an error page
        logger.exception("Could not send %r to %s", subject, recipients)


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
    from tenants.models import User

    if ticket.assignee_id:
        recipients = [ticket.assignee.email]
    else:
        recipients = list(
            User.objects.filter(
                support_level=ticket.level,
                is_active=True,
                groups__permissions__codename="work_tickets",
            ).values_list("email", flat=True)
        )
    _send(
        f"[{ticket.number}] Customer replied: {ticket.subject}",
        "tickets/email/support_customer_reply.txt",
        {"ticket": ticket, "event": event, "url": _ticket_url(ticket)},
        recipients,
    )

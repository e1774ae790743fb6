"""Reads that views share: always through the tenant gate, with the joins a page needs."""

from django.db.models import Prefetch, QuerySet

from tenants.access import object_for_user, scope_for_user
from tenants.models import User
from tenants.roles import engineers

from .models import Attachment, Ticket, TicketEvent, TicketTarget
from .permissions import may_see_internal


def tickets_for_user(user) -> QuerySet[Ticket]:
    return scope_for_user(Ticket.objects.all(), user).select_related(
        "tenant", "organisation", "assignee", "submitter"
    )


def ticket_for_user(user, ticket_id) -> Ticket:
    """The ticket if ``user`` may see it, else 404."""
    return object_for_user(
        Ticket.objects.select_related(
            "tenant", "organisation__sla_policy", "assignee", "submitter"
        ),
        user,
        ticket_id,
    )


def timeline_for_user(ticket: Ticket, user) -> QuerySet[TicketEvent]:
    """The ticket's events; customers see only the customer-visible ones."""
    events = ticket.events.select_related("actor").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    )
    if not may_see_internal(user):
        events = events.filter(public=True)
    return events


def targets_for(ticket: Ticket) -> QuerySet[TicketTarget]:
    return ticket.targets.exclude(state=TicketTarget.State.CANCELLED).order_by("kind", "cycle")


def attachment_for_user(user, ticket_id, attachment_id) -> Attachment:
    """An attachment of a ticket ``user`` may see; internal attachments only for support."""
    ticket = ticket_for_user(user, ticket_id)
    attachments = Attachment.objects.filter(ticket=ticket)
    if not may_see_internal(user):
        attachments = attachments.filter(public=True)
    return object_for_user(
        attachments, user, attachment_id, organisation_path="ticket__organisation"
    )


def engineers_for_assignment(ticket: Ticket) -> QuerySet[User]:
    """The engineers a manager may assign ``ticket`` to: those of its level."""
    return engineers(ticket.level).order_by("full_name")

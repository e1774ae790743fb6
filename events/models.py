"""Facts about tickets that customers' own systems may be told about (webhooks).

A row is written in the transaction that records the fact (``services.event_record``), so a
change that rolls back publishes nothing and one that commits cannot lose its event. Whoever
delivers them (the ``api`` app's webhooks) fans each row out once (``dispatched_at``) and keeps
its own delivery state; this app knows nothing of receivers.

This app sits below ``tickets``: it never imports it, and names the ticket by id only.
"""

import uuid

from django.db import models
from django.db.models import Q


class EventType(models.TextChoices):
    TICKET_CREATED = "ticket.created", "Ticket created"
    TICKET_REPLIED = "ticket.replied", "Public reply"
    TICKET_STATUS_CHANGED = "ticket.status_changed", "Status changed"
    TICKET_SLA_WARNING = "ticket.sla_warning", "SLA warning"
    TICKET_SLA_BREACHED = "ticket.sla_breached", "SLA breached"
    PING = "ping", "Test event"


class Event(models.Model):
    # Stable across every delivery attempt, so that a receiver can recognise a repeat.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "tenants.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    type = models.CharField(max_length=40, choices=EventType.choices)
    # Not a foreign key: this app stays below ``tickets``, and an event outlives nothing it names.
    ticket_id = models.PositiveBigIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)
    dispatched_at = models.DateTimeField(
        null=True, blank=True, help_text="When its deliveries were written; empty until then."
    )

    class Meta:
        ordering = ["occurred_at", "pk"]
        indexes = [
            # The dispatcher reads only events not fanned out yet, oldest first.
            models.Index(
                fields=["occurred_at", "id"],
                condition=Q(dispatched_at__isnull=True),
                name="event_undispatched",
            ),
            models.Index(fields=["organisation", "-occurred_at"], name="event_org_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.ticket_id or '-'} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"

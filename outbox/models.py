"""Outgoing mail, one row per message, written in the transaction that records why it is sent.

A row is the message itself (everything needed to build it again) plus its delivery state:

    pending ──claim──▶ sending ──SMTP accepted──▶ sent
       ▲                  │
       └──retry later─────┤ (temporary failure, or the lease ran out: the worker died)
                          └──▶ failed (a permanent refusal, or out of attempts)

A claim is a conditional UPDATE that sets a lease (``locked_until``) and a token only the
claiming worker knows; its later writes name that token, so a worker that outlived its lease
can never overwrite what another worker did since.
"""

from django.db import models
from django.db.models import Q


class OutgoingMail(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Not delivered"

    # Stable across every attempt, so that a receiving system (or a person) can recognise the
    # copy a retry sends after a worker died between the server's acceptance and our record.
    message_id = models.CharField(max_length=255, unique=True)
    subject = models.TextField()
    body = models.TextField()
    content_subtype = models.CharField(max_length=20, default="plain")
    alternatives = models.JSONField(default=list, blank=True)
    from_email = models.TextField()
    to = models.JSONField(default=list, blank=True)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "outgoing mail"
        verbose_name_plural = "outgoing mail"
        indexes = [
            # The claim reads due rows in order from here; sent mail (nearly all rows) is not
            # in it, so the claim stays a short range scan however much history is kept.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(state="pending"),
                name="outbox_pending_due",
            ),
            # Leases of workers that may have died.
            models.Index(
                fields=["locked_until"], condition=Q(state="sending"), name="outbox_sending_lease"
            ),
            # The managers' count and list of mail that was not delivered.
            models.Index(fields=["created_at"], condition=Q(state="failed"), name="outbox_failed"),
            # Pruning old sent mail.
            models.Index(fields=["sent_at"], condition=Q(state="sent"), name="outbox_sent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sending", "sent", "failed"]),
                name="outbox_state_valid",
            ),
            # A row being sent always has a lease, so a dead worker's rows always come back.
            models.CheckConstraint(
                condition=~Q(state="sending")
                | Q(locked_until__isnull=False, lease_token__isnull=False),
                name="outbox_sending_has_lease",
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False), name="outbox_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)} ({self.state})"

    @property
    def recipients(self) -> list[str]:
        return [*self.to, *self.cc, *self.bcc]

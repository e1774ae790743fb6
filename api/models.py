"""API keys, remembered answers to idempotent requests, webhook endpoints and their deliveries.

A key acts as one person: a customer contact of its organisation (a customer admin creates it)
or a member of support staff (a manager creates it). Only a SHA-256 of the key is stored; the
key itself is shown once. Webhook deliveries follow the mail outbox's states (``outbox.models``):

    pending ──claim──▶ sending ──2xx──▶ delivered
       ▲                  │
       └──retry later─────┤ (any other answer, no answer, or the lease ran out)
                          └──▶ failed (out of attempts, or the endpoint was disabled)
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from events.models import EventType


class ApiKey(models.Model):
    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    name = models.CharField(max_length=100, help_text="What uses it, e.g. “Nagios on mon-01”.")
    # The public start of the key (``sp_1a2b3c4d``): finds the row and names the key in lists
    # and logs without revealing it.
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64, help_text="SHA-256 of the whole key, in hex.")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_keys",
        help_text="The person the key acts as; every call is theirs on the timeline.",
    )
    # The user's organisation when the key was made (empty for support staff): the tenant gate
    # scopes keys by it, and a key stops working if its person moves elsewhere.
    organisation = models.ForeignKey(
        "tenants.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_keys",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API key"
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=["read", "read_write"]), name="apikey_scope_valid"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="apikey_org_recent")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE

    @property
    def label(self) -> str:
        """How the timeline names calls made with the key."""
        return f"API key “{self.name}” ({self.prefix})"


class IdempotencyRecord(models.Model):
    """The answer given to a request that carried an ``Idempotency-Key``: a retry with the same
    key and body gets it again instead of acting twice."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body.")
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_once_per_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"


def default_event_types() -> list[str]:
    return [t.value for t in EventType if t != EventType.PING]


class WebhookEndpoint(models.Model):
    organisation = models.ForeignKey(
        "tenants.Organisation", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=100, blank=True)
    # Kept to sign each delivery (a hash would not do); shown once, never on a page again.
    secret = models.CharField(max_length=100)
    event_types = models.JSONField(default=default_event_types)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "is_active"], name="webhook_org_active"),
        ]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Not delivered"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_once_per_event"),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sending", "delivered", "failed"]),
                name="delivery_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="sending")
                | Q(locked_until__isnull=False, lease_token__isnull=False),
                name="delivery_sending_has_lease",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(state="pending"),
                name="delivery_pending_due",
            ),
            models.Index(
                fields=["locked_until"], condition=Q(state="sending"), name="delivery_sending_lease"
            ),
            models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_recent"),
            models.Index(fields=["created_at"], name="delivery_created"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.state})"

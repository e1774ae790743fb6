"""Every write of the API app: keys, idempotency records, webhook endpoints and deliveries.

Keys and endpoints give the portal's data to machines, so creating, revoking, registering and
disabling them is written to the security audit log (as ``role_changed``: the log's actions
are fixed by its own app, and a key is a grant of access).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from events.models import Event, EventType
from tenants.models import User

from . import access, keys
from .models import ApiKey, IdempotencyRecord, WebhookDelivery, WebhookEndpoint
from .webhooks import signing
from .webhooks import targets as webhook_targets

# A key in use is stamped at most this often: a write per request would make every read
# endpoint a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- keys --------------------------------------------------------------------------------------


@transaction.atomic
def api_key_create(
    *, actor: User, holder_id: int, name: str, scope: str, now: datetime | None = None
) -> tuple[ApiKey, str]:
    """Issue a key acting as the person ``holder_id`` for ``actor`` (see ``access``). Returns the
    key row and the key itself, which is never stored and must be shown to ``actor`` once."""
    now = _now(now)
    access.require_key_manager(actor)
    holder = access.key_holders_for(actor).filter(pk=holder_id).first()
    if holder is None:
        raise ValidationError(
            {
                "holder": ValidationError(
                    "Choose an active person of your organisation."
                    if actor.is_customer
                    else "Choose an active support engineer or manager.",
                    code="key_holder",
                )
            }
        )
    name = (name or "").strip()
    if not name:
        raise ValidationError(
            {"name": ValidationError("Name the key after what uses it.", code="name_required")}
        )
    if scope not in ApiKey.Scope.values:
        raise ValidationError(
            {"scope": ValidationError("Choose read only, or read and write.", code="scope")}
        )
    prefix, secret = keys.new_key()
    key = ApiKey.objects.create(
        name=name[:100],
        prefix=prefix,
        secret_hash=keys.key_hash(secret),
        scope=scope,
        user=holder,
        organisation_id=holder.organisation_id,
        created_by=actor,
        created_at=now,
    )
    audit_record(
        action=AuditAction.ROLE_CHANGED,
        actor=actor,
        target=key,
        change="api_key_created",
        key=prefix,
        scope=scope,
        acts_as=holder.email,
    )
    return key, secret


@transaction.atomic
def api_key_revoke(*, actor: User, key: ApiKey, now: datetime | None = None) -> bool:
    """Revoke ``key`` at once; returns False if it was revoked already."""
    now = _now(now)
    access.key_for_manager(actor, key.pk)  # the same gate as the page's
    revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor
    )
    if revoked:
        audit_record(
            action=AuditAction.ROLE_CHANGED,
            actor=actor,
            target=key,
            change="api_key_revoked",
            key=key.prefix,
        )
    return bool(revoked)


def api_key_touch(*, key: ApiKey, now: datetime) -> None:
    """Record that ``key`` was used (at most once per ``LAST_USED_RESOLUTION``)."""
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def idempotency_prune(*, now: datetime) -> int:
    cutoff = now - timedelta(hours=settings.API_IDEMPOTENCY_KEEP_HOURS)
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()[0]


# --- webhooks ----------------------------------------------------------------------------------


def _clean_event_types(event_types) -> list[str]:
    chosen = [t for t in EventType.values if t in set(event_types or ()) and t != EventType.PING]
    if not chosen:
        raise ValidationError(
            {"event_types": ValidationError("Choose at least one event.", code="no_events")}
        )
    return chosen


@transaction.atomic
def webhook_endpoint_create(
    *,
    actor: User,
    url: str,
    description: str = "",
    event_types: list[str],
    now: datetime | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint for ``actor``'s organisation. Returns it and its signing secret,
    which must be shown to ``actor`` once."""
    now = _now(now)
    access.require_webhook_manager(actor)
    try:
        url = webhook_targets.validate_registration((url or "").strip())
    except ValidationError as exc:
        raise ValidationError({"url": exc.error_list}) from None
    endpoint = WebhookEndpoint.objects.create(
        organisation_id=actor.organisation_id,
        url=url,
        description=(description or "").strip()[:100],
        secret=signing.new_secret(),
        event_types=_clean_event_types(event_types),
        created_by=actor,
        created_at=now,
    )
    audit_record(
        action=AuditAction.ROLE_CHANGED,
        actor=actor,
        target=endpoint,
        change="webhook_registered",
        url=url,
        events=endpoint.event_types,
    )
    return endpoint, endpoint.secret


@transaction.atomic
def webhook_endpoint_set_active(
    *, actor: User, endpoint: WebhookEndpoint, active: bool, now: datetime | None = None
) -> WebhookEndpoint:
    """Switch an endpoint off (pending deliveries fail on their next run) or on again."""
    now = _now(now)
    endpoint = access.endpoint_for_manager(actor, endpoint.pk)
    if endpoint.is_active == active:
        return endpoint
    endpoint.is_active = active
    endpoint.disabled_at = None if active else now
    endpoint.save(update_fields=["is_active", "disabled_at"])
    audit_record(
        action=AuditAction.ROLE_CHANGED,
        actor=actor,
        target=endpoint,
        change="webhook_enabled" if active else "webhook_disabled",
        url=endpoint.url,
    )
    return endpoint


@transaction.atomic
def webhook_ping(
    *, actor: User, endpoint: WebhookEndpoint, now: datetime | None = None
) -> WebhookDelivery:
    """Queue a test event for one endpoint, so its owner can check their receiver."""
    now = _now(now)
    endpoint = access.endpoint_for_manager(actor, endpoint.pk)
    if not endpoint.is_active:
        raise ValidationError(
            "Switch the endpoint on before sending a test event.", code="inactive"
        )
    event = Event.objects.create(
        organisation_id=endpoint.organisation_id,
        type=EventType.PING,
        occurred_at=now,
        data={"message": f"Test event sent by {actor.full_name}."},
        dispatched_at=now,
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, created_at=now, next_attempt_at=now
    )
    transaction.on_commit(_request_delivery)
    return delivery


@transaction.atomic
def webhook_delivery_retry(
    *, actor: User, delivery: WebhookDelivery, now: datetime | None = None
) -> bool:
    """Send a failed (or waiting) delivery again as soon as possible with fresh attempts;
    False when it is being sent or was delivered meanwhile."""
    now = _now(now)
    delivery = access.delivery_for_manager(actor, delivery.endpoint_id, delivery.pk)
    if not delivery.endpoint.is_active:
        raise PermissionDenied("Switch the endpoint on before sending again.")
    retried = WebhookDelivery.objects.filter(
        pk=delivery.pk, state__in=[WebhookDelivery.State.PENDING, WebhookDelivery.State.FAILED]
    ).update(state=WebhookDelivery.State.PENDING, attempts=0, next_attempt_at=now)
    if retried:
        transaction.on_commit(_request_delivery)
    return bool(retried)


def _request_delivery() -> None:
    from .webhooks.delivery import request_delivery

    request_delivery()

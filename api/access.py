"""Who manages which keys and webhook endpoints: the one home of those rules.

- A customer admin (main contact or technical administrator) manages their organisation's keys,
  for any active contact of it, and its webhook endpoints.
- A support manager manages support staff keys (for any active engineer or manager): staff
  keys skip the web's second factor, so an engineer never issues one for themselves.
- Nobody else manages any. Objects of another organisation are a 404 (``tenants.access``).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from tenants.access import object_for_user, scope_for_user
from tenants.models import User
from tenants.roles import staff_with_permission

from .models import ApiKey, WebhookDelivery, WebhookEndpoint


def may_manage_keys(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_customer_admin or (not user.is_customer and user.is_support_manager))
    )


def may_manage_webhooks(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_customer_admin)


def require_key_manager(user) -> None:
    if not may_manage_keys(user):
        raise PermissionDenied(
            "API keys are managed by a customer admin (main contact or technical administrator) "
            "for their organisation, and by a support manager for support staff."
        )


def require_webhook_manager(user) -> None:
    if not may_manage_webhooks(user):
        raise PermissionDenied(
            "Webhooks are managed by a customer admin (main contact or technical administrator)."
        )


def key_holders_for(actor) -> QuerySet[User]:
    """The people ``actor`` may issue keys for."""
    if not may_manage_keys(actor):
        return User.objects.none()
    people = User.objects.filter(is_active=True)
    if actor.is_customer:
        return people.filter(organisation_id=actor.organisation_id).order_by("full_name")
    return staff_with_permission("tenants.work_tickets").order_by("full_name")


def keys_for(actor) -> QuerySet[ApiKey]:
    keys = ApiKey.objects.select_related("user", "created_by", "revoked_by")
    if not may_manage_keys(actor):
        return keys.none()
    if actor.is_customer:
        return scope_for_user(keys, actor)
    return keys.filter(organisation__isnull=True)


def key_for_manager(actor, key_id) -> ApiKey:
    require_key_manager(actor)
    return object_for_user(keys_for(actor), actor, key_id)


def endpoints_for(actor) -> QuerySet[WebhookEndpoint]:
    if not may_manage_webhooks(actor):
        return WebhookEndpoint.objects.none()
    return scope_for_user(WebhookEndpoint.objects.select_related("created_by"), actor)


def endpoint_for_manager(actor, endpoint_id) -> WebhookEndpoint:
    require_webhook_manager(actor)
    return object_for_user(endpoints_for(actor), actor, endpoint_id)


def delivery_for_manager(actor, endpoint_id, delivery_id) -> WebhookDelivery:
    endpoint = endpoint_for_manager(actor, endpoint_id)
    return object_for_user(
        WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event", "endpoint"),
        actor,
        delivery_id,
        organisation_path="endpoint__organisation",
    )

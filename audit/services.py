"""Writing the security audit log. Every security-relevant write calls ``audit_record``; auth
events arrive through the signal receivers in ``receivers.py``."""

import ipaddress
import logging

from django.db import models

from .context import Origin, current_origin, origin_of
from .models import AuditAction, AuditEvent

logger = logging.getLogger(__name__)


def _label(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return getattr(user, "email", "") or str(user)


def _address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def audit_record(
    *,
    action: AuditAction | str,
    actor=None,
    target: models.Model | None = None,
    target_label: str = "",
    request=None,
    **data,
) -> AuditEvent:
    """Add one row to the audit log.

    ``actor`` is who did it (default: the signed-in user of the current request); ``target`` the
    object it was done to; ``data`` any further facts (JSON-serialisable; never secrets such as
    passwords, tokens or codes). Where it came from is taken from ``request`` or, failing that,
    from the request being served (``AuditContextMiddleware``).
    """
    origin: Origin | None = origin_of(request) if request is not None else current_origin()
    if actor is None and origin is not None:
        actor = origin.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = AuditEvent(
        action=AuditAction(action),
        actor=actor,
        actor_label=_label(actor) or str(data.pop("attempted_as", ""))[:254],
        ip_address=_address(origin.ip_address) if origin else None,
        user_agent=origin.user_agent if origin else "",
        data=data,
    )
    if target is not None:
        event.target_type = target._meta.label_lower
        event.target_id = str(target.pk)
        event.target_label = (target_label or str(target))[:254]
    else:
        event.target_label = target_label[:254]
    event.save()
    logger.info(
        "audit %s by %s from %s on %s",
        event.action,
        event.actor_label or "anonymous",
        event.ip_address or "-",
        event.target_label or "-",
    )
    return event

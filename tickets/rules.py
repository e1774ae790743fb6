"""Submission rules that every entry point (customer form, staff forms, admin, services,
model validation) applies through these functions, so that each rule lives in one place."""

from django.core.exceptions import ValidationError

from sla.services import priorities_of

INCIDENT = "incident"
SERVICE_REQUEST = "service_request"
DEFAULT_INCIDENT_PRIORITY = "P3"
# P1 and P2 may be used only for incidents on production tenants (service description §4.3.2).
PRODUCTION_ONLY_PRIORITIES = frozenset({"P1", "P2"})

P1_NEEDS_PRODUCTION = (
    "{priority} is reserved for incidents on production tenants; {tenant} is a test tenant. "
    "Choose {others}, or pick a production tenant."
)


def production_only_text() -> str:
    """``P1 and P2``: the priorities reserved for production tenants, in words."""
    return " and ".join(sorted(PRODUCTION_ONLY_PRIORITIES))


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def production_only_refusal(allowed: list[str]) -> str:
    """The refusal of a production-only priority on a test tenant, with ``{priority}`` and
    ``{tenant}`` still to fill in. The new-ticket form's script shows the same words as soon
    as the choices conflict, before the server refuses them."""
    others = _or([p for p in allowed if p not in PRODUCTION_ONLY_PRIORITIES])
    return P1_NEEDS_PRODUCTION.replace("{others}", others)


def check_priority(*, kind: str, priority: str, tenant) -> None:
    """Raise ``ValidationError`` if ``priority`` is not allowed for ``kind`` on ``tenant``."""
    if kind == SERVICE_REQUEST:
        if priority:
            raise ValidationError(
                {
                    "priority": ValidationError(
                        "Service requests carry no incident priority.", code="priority_on_request"
                    )
                }
            )
        return
    allowed = priorities_of(tenant.organisation.sla_policy)
    if priority and priority not in allowed:
        raise ValidationError(
            {
                "priority": ValidationError(
                    f"{priority} is not a priority of {tenant.organisation.name}'s SLA; "
                    f"choose one of {', '.join(allowed)}.",
                    code="priority_not_in_policy",
                )
            }
        )
    if priority in PRODUCTION_ONLY_PRIORITIES and not tenant.is_production:
        raise ValidationError(
            {
                "priority": ValidationError(
                    production_only_refusal(allowed).format(priority=priority, tenant=tenant.name),
                    code="p1_needs_production",
                )
            }
        )


def default_priority(*, kind: str, priority: str | None) -> str:
    """An incident without a chosen priority is P3; a service request has none."""
    if kind == SERVICE_REQUEST:
        return ""
    return priority or DEFAULT_INCIDENT_PRIORITY

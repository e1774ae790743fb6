"""Who may change onboarding checklists: support staff (and administrators who may add
checklists) change any step; a customer contact ticks their own organisation's customer steps."""

from django.core.exceptions import PermissionDenied

from tenants.models import User

from .models import (
    OnboardingStep,
)

# --- permissions -------------------------------------------------------------------------------


def can_manage_onboarding(user: User) -> bool:
    """Support staff, and administrators who may add checklists in Django admin."""
    return user.is_active and (
        user.is_support_staff or user.has_perm("onboarding.add_onboardingchecklist")
    )


def can_tick(user: User, step: OnboardingStep) -> bool:
    """Staff tick any step; a customer contact ticks their own organisation's customer steps."""
    if can_manage_onboarding(user):
        return True
    return (
        user.is_active
        and user.is_customer
        and user.organisation_id == step.checklist.organisation_id
        and step.is_customers
    )


def require_onboarding_staff(actor: User) -> None:
    if not can_manage_onboarding(actor):
        raise PermissionDenied("Only support staff can change onboarding checklists.")

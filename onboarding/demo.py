"""The demo's onboarding in progress: Litware signed its contract two weeks before the demo
was loaded and goes live some weeks after; provisioning and the vendor's first steps are done,
the customer's email configuration is overdue. Written through the services, so its dates and
the tenants' provisioning follow the portal's own rules."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from tenants.models import Organisation, User

from . import services
from .models import OnboardingChecklist
from .steps import Step, calendar_of

SLUG = "litware"
SIGNED_DAYS_AGO = 15
GO_LIVE_IN_DAYS = 45


@transaction.atomic
def seed_demo_onboarding() -> bool:
    """Open and advance Litware's checklist once; False when it exists already."""
    organisation = Organisation.objects.filter(slug=SLUG).first()
    if (
        organisation is None
        or OnboardingChecklist.objects.filter(organisation=organisation).exists()
    ):
        return False
    support = User.objects.get(email="manager@support.example")
    contact = User.objects.filter(organisation=organisation).order_by("email").first()
    tz = calendar_of(organisation).tz
    today = timezone.localdate(timezone=tz)
    signed = today - timedelta(days=SIGNED_DAYS_AGO)

    def at(day, hour=10):
        return datetime.combine(day, time(hour), tz)

    checklist = services.onboarding_start(
        organisation=organisation,
        signed_on=signed,
        planned_go_live=today + timedelta(days=GO_LIVE_IN_DAYS),
        actor=support,
        now=at(signed + timedelta(days=1)),
    )
    steps = {step.code: step for step in checklist.steps.all()}
    for code, days in (
        (Step.TENANT_PROVISIONING, 3),
        (Step.SUPERUSER_ACCOUNT, 3),
        (Step.KICK_OFF_CALL, 6),
        (Step.MESSAGING, 9),
    ):
        services.onboarding_step_complete(
            step=steps[code], actor=support, now=at(signed + timedelta(days=days))
        )
    services.onboarding_step_update(
        step=steps[Step.VOICE_VENDOR],
        actor=support,
        due_on=None,
        not_applicable=True,
        note="Voice comes from the customer's own operator.",
    )
    services.onboarding_step_update(
        step=steps[Step.EMAIL_CONFIGURATION],
        actor=support,
        due_on=today - timedelta(days=2),
        not_applicable=False,
        note="Agreed at the kick-off call.",
    )
    services.onboarding_step_update(
        step=steps[Step.CHAT_AND_CHATBOT],
        actor=support,
        due_on=today + timedelta(days=10),
        not_applicable=False,
    )
    if contact is not None:
        services.onboarding_step_complete(
            step=steps[Step.VOICE_THIRD_PARTY],
            actor=contact,
            now=at(signed + timedelta(days=8), 14),
        )
    return True

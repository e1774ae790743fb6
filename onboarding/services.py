"""Every write on an onboarding checklist. A checklist is opened by ``onboarding_start`` when a
contract is signed, from the admin action or the staff page, never from a signal. Completing
tenant provisioning records the tenants' provisioning time, where SLA measurement and invoicing
start, and tells the customer's contacts.
"""

from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from lib.formatting import day
from lib.urls import absolute_reverse
from outbox.services import mail_enqueue
from tenants.models import Organisation, Tenant, User

from .models import (
    OnboardingChecklist,
    OnboardingStep,
)
from .permissions import can_tick, require_onboarding_staff
from .steps import (
    REQUIRED_STEPS,
    STANDARD_STEPS,
    Step,
    calendar_of,
    go_live_dates,
    provisioning_due_on,
)


def _require_open(step: OnboardingStep) -> None:
    if step.not_applicable:
        raise ValidationError(
            f"“{step.name}” is marked not applicable; make it applicable first.",
            code="step_not_applicable",
        )
    if step.done_at is not None:
        raise ValidationError(f"“{step.name}” is already done.", code="step_done")


# --- writes ------------------------------------------------------------------------------------


@transaction.atomic
def onboarding_start(
    *,
    organisation: Organisation,
    signed_on: date,
    planned_go_live: date | None = None,
    actor: User,
    now: datetime | None = None,
) -> OnboardingChecklist:
    """Open the onboarding checklist of ``organisation``, whose contract was signed on
    ``signed_on``: the standard steps with their responsible parties and due dates, the
    contract step done. Records the signing date on the organisation. Refuses a second
    checklist for the same organisation."""
    now = now or timezone.now()
    require_onboarding_staff(actor)
    if planned_go_live is not None and planned_go_live < signed_on:
        raise ValidationError(
            {
                "planned_go_live": ValidationError(
                    "The planned go-live cannot be before the contract was signed.",
                    code="go_live_before_signing",
                )
            }
        )
    # The organisation row is the lock two concurrent starts meet on; the one-to-one key is the
    # final word if they still race (SQLite has no row locks).
    organisation = (
        Organisation.objects.select_for_update()
        .select_related("sla_policy")
        .get(pk=organisation.pk)
    )
    if OnboardingChecklist.objects.filter(organisation=organisation).exists():
        raise ValidationError(
            f"{organisation} already has an onboarding checklist.", code="onboarding_exists"
        )
    if organisation.go_live_on is not None and organisation.go_live_on < signed_on:
        raise ValidationError(
            {
                "signed_on": ValidationError(
                    f"{organisation} went live on {day(organisation.go_live_on)}, before "
                    "that signing date.",
                    code="signed_after_go_live",
                )
            }
        )
    organisation.contract_signed_on = signed_on
    organisation.save(update_fields=["contract_signed_on"])
    try:
        with transaction.atomic():
            checklist = OnboardingChecklist.objects.create(
                organisation=organisation,
                signed_on=signed_on,
                planned_go_live_on=planned_go_live,
                started_at=now,
                started_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            f"{organisation} already has an onboarding checklist.", code="onboarding_exists"
        ) from None
    provisioning = provisioning_due_on(organisation, signed_on)
    # The contract step was done when the contract was signed, not when the checklist was
    # opened (often days later): midday of the signing day in the customer's calendar, so that
    # the date reads the same in every time zone of the working world.
    signed_at = min(now, datetime.combine(signed_on, time(12), calendar_of(organisation).tz))
    due = {
        Step.CONTRACT: signed_on,
        Step.TENANT_PROVISIONING: provisioning,
        Step.SUPERUSER_ACCOUNT: provisioning,
        **go_live_dates(planned_go_live),
    }
    OnboardingStep.objects.bulk_create(
        OnboardingStep(
            checklist=checklist,
            code=spec.code,
            position=position,
            name=spec.name,
            description=spec.description,
            phase=spec.phase,
            responsible=spec.responsible,
            due_on=due.get(spec.code),
            done_at=signed_at if spec.code == Step.CONTRACT else None,
            done_by=actor if spec.code == Step.CONTRACT else None,
        )
        for position, spec in enumerate(STANDARD_STEPS, start=1)
    )
    return checklist


@transaction.atomic
def onboarding_set_go_live(
    *, checklist: OnboardingChecklist, planned_go_live: date | None, actor: User
) -> OnboardingChecklist:
    """Change the planned go-live; the open testing and go-live schedule steps follow it."""
    require_onboarding_staff(actor)
    checklist = OnboardingChecklist.objects.select_for_update().get(pk=checklist.pk)
    if planned_go_live is not None and planned_go_live < checklist.signed_on:
        raise ValidationError(
            {
                "planned_go_live": ValidationError(
                    "The planned go-live cannot be before the contract was signed.",
                    code="go_live_before_signing",
                )
            }
        )
    checklist.planned_go_live_on = planned_go_live
    checklist.save(update_fields=["planned_go_live_on"])
    for code, due_on in go_live_dates(planned_go_live).items():
        checklist.steps.filter(code=code, done_at__isnull=True).update(due_on=due_on)
    return checklist


def _locked_step(step: OnboardingStep) -> OnboardingStep:
    return (
        OnboardingStep.objects.select_for_update(of=("self",))
        .select_related("checklist__organisation")
        .get(pk=step.pk)
    )


@transaction.atomic
def onboarding_step_complete(
    *, step: OnboardingStep, actor: User, now: datetime | None = None
) -> OnboardingStep:
    """Tick a step. Customers tick their own organisation's customer steps; staff any step.
    Completing tenant provisioning records ``provisioned_at`` on the organisation's tenants that
    have none yet (SLA measurement starts there) and tells the customer's contacts."""
    now = now or timezone.now()
    step = _locked_step(step)
    if not can_tick(actor, step):
        raise PermissionDenied(f"“{step.name}” is the vendor's step; support ticks it.")
    _require_open(step)
    organisation = step.checklist.organisation
    if step.code == Step.TENANT_PROVISIONING:
        tenants = Tenant.objects.filter(organisation=organisation)
        if not tenants.exists():
            raise ValidationError(
                f"{organisation} has no tenant yet: add it in admin before marking provisioning "
                "done.",
                code="no_tenant_to_provision",
            )
        # Only tenants without a provisioning time: SLA measurement never moves once started.
        provisioned = list(tenants.filter(provisioned_at__isnull=True).order_by("name"))
        tenants.filter(pk__in=[t.pk for t in provisioned]).update(provisioned_at=now)
        if provisioned:
            _send_tenant_ready(organisation, provisioned)
    step.done_at = now
    step.done_by = actor
    step.save(update_fields=["done_at", "done_by"])
    return step


@transaction.atomic
def onboarding_step_reopen(*, step: OnboardingStep, actor: User) -> OnboardingStep:
    """Undo a tick made by mistake. Provisioning and the contract stay done: the SLA clock and
    the checklist itself start from them."""
    step = _locked_step(step)
    if not can_tick(actor, step):
        raise PermissionDenied(f"“{step.name}” is the vendor's step; support changes it.")
    if step.done_at is None:
        raise ValidationError(f"“{step.name}” is not done.", code="step_not_done")
    if step.code in REQUIRED_STEPS:
        raise ValidationError(
            f"“{step.name}” cannot be undone: the onboarding and SLA measurement start from it.",
            code="step_final",
        )
    step.done_at = None
    step.done_by = None
    step.save(update_fields=["done_at", "done_by"])
    return step


@transaction.atomic
def onboarding_step_update(
    *, step: OnboardingStep, actor: User, due_on: date | None, not_applicable: bool, note: str = ""
) -> OnboardingStep:
    """Staff set a step's due date, whether it is part of the order, and a note."""
    require_onboarding_staff(actor)
    step = _locked_step(step)
    if not_applicable and step.code in REQUIRED_STEPS:
        raise ValidationError(
            {
                "not_applicable": ValidationError(
                    f"Every order includes “{step.name}”.", code="step_required"
                )
            }
        )
    if not_applicable and step.done_at is not None:
        raise ValidationError(
            {
                "not_applicable": ValidationError(
                    f"“{step.name}” is already done; undo it before marking it not applicable.",
                    code="done_step_not_applicable",
                )
            }
        )
    step.due_on = due_on
    step.not_applicable = not_applicable
    step.note = (note or "").strip()
    step.save(update_fields=["due_on", "not_applicable", "note"])
    return step


def _send_tenant_ready(organisation: Organisation, tenants: list[Tenant]) -> None:
    recipients = list(
        User.objects.filter(organisation=organisation, is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    body = render_to_string(
        "onboarding/email/tenant_ready.txt",
        {
            "organisation": organisation,
            "tenants": tenants,
            "url": absolute_reverse("home"),
        },
    )
    mail_enqueue([EmailMessage(f"Your tenant is ready: {organisation}", body, None, recipients)])

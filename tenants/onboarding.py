"""Onboarding checklists: every new customer's way from the signed contract to go-live.

The steps and who does them come from the service description §3, table 1 "Onboarding Steps"
(plus testing and the go-live schedule of §3.2.4). A checklist is opened by ``onboarding_start``
when a contract is signed, from the admin action or the staff page, never from a signal. Due
dates: tenant provisioning (and the superuser account that comes with it) within five working
days of the SLA calendar after signing, the go-live schedule two weeks before the planned
go-live, testing by go-live; staff set or change the others. Completing provisioning records the
tenants' provisioning time, where SLA measurement and invoicing start.

``onboarding_remind`` (hourly beat, see ``CELERY_BEAT_SCHEDULE``) reminds the responsible side of
every overdue step once per local day from 08:00 on business days, and flags provisioning that
runs past its five working days to the support managers.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from lib.urls import absolute_reverse
from outbox.services import mail_enqueue
from sla import services as sla
from sla.deadlines import (
    BusinessCalendar,
    is_working_day,
    working_days_after,
    working_days_between,
)
from sla.models import Calendar

from .models import (
    CUSTOMER_ADMIN_ROLES,
    CUSTOMER_PARTIES,
    OnboardingChecklist,
    OnboardingParty,
    OnboardingPhase,
    OnboardingReminder,
    OnboardingStep,
    Organisation,
    Tenant,
    User,
)
from .roles import manager_emails

logger = logging.getLogger(__name__)

PROVISIONING_WORKING_DAYS = 5  # §3.1 "within five working days after signing of the contract"
GO_LIVE_SCHEDULE_LEAD = timedelta(days=14)  # §3.2.4 "at least two weeks before go-live"
REMINDER_LOCAL_TIME = time(8, 0)


class Step:
    """Codes of the standard steps."""

    CONTRACT = "contract"
    TENANT_PROVISIONING = "tenant_provisioning"
    SUPERUSER_ACCOUNT = "superuser_account"
    KICK_OFF_CALL = "kick_off_call"
    MESSAGING = "messaging"
    VOICE_VENDOR = "voice_vendor"
    VOICE_THIRD_PARTY = "voice_third_party"
    EMAIL_CONFIGURATION = "email_configuration"
    CHAT_AND_CHATBOT = "chat_and_chatbot"
    STANDARD_API_INTEGRATIONS = "standard_api_integrations"
    TESTING = "testing"
    GO_LIVE_SCHEDULE = "go_live_schedule"


@dataclass(frozen=True)
class StepSpec:
    code: str
    name: str
    phase: str
    responsible: str
    description: str


Phase, Party = OnboardingPhase, OnboardingParty
STANDARD_STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        Step.CONTRACT,
        "Signing the contract",
        Phase.PROVISIONING,
        Party.CUSTOMER,
        "The customer signs a contract with the vendor; the order triggers provisioning.",
    ),
    StepSpec(
        Step.TENANT_PROVISIONING,
        "Tenant provisioning",
        Phase.PROVISIONING,
        Party.VENDOR,
        "The vendor provisions the tenant within five working days and sends the tenant-ready "
        "notification. SLA measurement and invoicing start here.",
    ),
    StepSpec(
        Step.SUPERUSER_ACCOUNT,
        "Superuser account creation",
        Phase.PROVISIONING,
        Party.VENDOR,
        "The vendor creates a superuser account and sends the details to the technical "
        "administrator.",
    ),
    StepSpec(
        Step.KICK_OFF_CALL,
        "Kick-off call",
        Phase.CONFIGURATION,
        Party.VENDOR,
        "The vendor arranges a kick-off call with the customer or their partner.",
    ),
    StepSpec(
        Step.MESSAGING,
        "Messaging (Conversation API or SMS)",
        Phase.CONFIGURATION,
        Party.VENDOR,
        "The vendor configures the messaging channel integration.",
    ),
    StepSpec(
        Step.VOICE_VENDOR,
        "Voice connection (vendor's Voice API)",
        Phase.CONFIGURATION,
        Party.VENDOR,
        "The vendor configures the SIP trunk.",
    ),
    StepSpec(
        Step.VOICE_THIRD_PARTY,
        "Voice connection (3rd party)",
        Phase.CONFIGURATION,
        Party.CUSTOMER_OPERATOR,
        "The customer or partner files a service request for the SIP trunk configuration.",
    ),
    StepSpec(
        Step.EMAIL_CONFIGURATION,
        "Email configuration",
        Phase.CONFIGURATION,
        Party.CUSTOMER,
        "The customer or partner configures the email servers (IMAP, SMTP) in System Configurator.",
    ),
    StepSpec(
        Step.CHAT_AND_CHATBOT,
        "Chat and chatbot",
        Phase.CONFIGURATION,
        Party.CUSTOMER,
        "The customer or partner configures chat and chatbot.",
    ),
    StepSpec(
        Step.STANDARD_API_INTEGRATIONS,
        "Integrations with standard APIs",
        Phase.CONFIGURATION,
        Party.CUSTOMER_PARTNER,
        "The customer or partner completes the integrations with the standard APIs.",
    ),
    StepSpec(
        Step.TESTING,
        "Testing",
        Phase.GO_LIVE,
        Party.CUSTOMER,
        "The customer or partner tests the final configuration: profiles, user rights, voice "
        "menus, queues, directory and calls to emergency numbers.",
    ),
    StepSpec(
        Step.GO_LIVE_SCHEDULE,
        "Go-live schedule",
        Phase.GO_LIVE,
        Party.CUSTOMER,
        "The customer gives the vendor a detailed go-live schedule at least two weeks before "
        "go-live.",
    ),
)
# Steps every order has: they cannot be marked not applicable.
REQUIRED_STEPS = frozenset({Step.CONTRACT, Step.TENANT_PROVISIONING})


# --- dates -------------------------------------------------------------------------------------


def _calendar_of(organisation: Organisation) -> BusinessCalendar:
    return sla.calendar_for(organisation.sla_policy.calendar_id)


def provisioning_due_on(organisation: Organisation, signed_on: date) -> date:
    """The fifth working day of the organisation's SLA calendar after ``signed_on``."""
    return working_days_after(_calendar_of(organisation), signed_on, PROVISIONING_WORKING_DAYS)


def _go_live_dates(planned_go_live: date | None) -> dict[str, date | None]:
    if planned_go_live is None:
        return {Step.TESTING: None, Step.GO_LIVE_SCHEDULE: None}
    return {
        Step.TESTING: planned_go_live,
        Step.GO_LIVE_SCHEDULE: planned_go_live - GO_LIVE_SCHEDULE_LEAD,
    }


# --- permissions -------------------------------------------------------------------------------


def can_manage_onboarding(user: User) -> bool:
    """Support staff, and administrators who may add checklists in Django admin."""
    return user.is_active and (
        user.is_support_staff or user.has_perm("tenants.add_onboardingchecklist")
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


def _require_onboarding_staff(actor: User) -> None:
    if not can_manage_onboarding(actor):
        raise PermissionDenied("Only support staff can change onboarding checklists.")


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
    _require_onboarding_staff(actor)
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
                    f"{organisation} went live on {organisation.go_live_on:%d %b %Y}, before "
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
    due = {
        Step.CONTRACT: signed_on,
        Step.TENANT_PROVISIONING: provisioning,
        Step.SUPERUSER_ACCOUNT: provisioning,
        **_go_live_dates(planned_go_live),
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
            done_at=now if spec.code == Step.CONTRACT else None,
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
    _require_onboarding_staff(actor)
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
    for code, due_on in _go_live_dates(planned_go_live).items():
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
    _require_onboarding_staff(actor)
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


# --- reads -------------------------------------------------------------------------------------


def _open_steps() -> Q:
    return Q(done_at__isnull=True, not_applicable=False)


def checklists_for_staff(*, today: date) -> QuerySet[OnboardingChecklist]:
    """Every checklist, those with overdue steps first (the longest overdue at the top), each
    with its counts and its overdue steps (``overdue_steps``)."""
    overdue = Q(steps__done_at__isnull=True, steps__not_applicable=False, steps__due_on__lt=today)
    return (
        OnboardingChecklist.objects.select_related("organisation")
        .annotate(
            overdue_count=Count("steps", filter=overdue),
            first_overdue_on=Min("steps__due_on", filter=overdue),
            open_count=Count(
                "steps", filter=Q(steps__done_at__isnull=True, steps__not_applicable=False)
            ),
            applicable_count=Count("steps", filter=Q(steps__not_applicable=False)),
        )
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=OnboardingStep.objects.filter(_open_steps(), due_on__lt=today).order_by(
                    "due_on", "position"
                ),
                to_attr="overdue_steps",
            )
        )
        .order_by(F("first_overdue_on").asc(nulls_last=True), "organisation__name")
    )


def onboarding_summary(*, organisation_id: int) -> OnboardingChecklist | None:
    """The organisation's checklist with its step counts, for the customer's home page."""
    today = timezone.localdate()
    customer = Q(steps__responsible__in=[p.value for p in CUSTOMER_PARTIES])
    open_step = Q(steps__done_at__isnull=True, steps__not_applicable=False)
    return (
        OnboardingChecklist.objects.filter(organisation_id=organisation_id)
        .annotate(
            applicable_count=Count("steps", filter=Q(steps__not_applicable=False)),
            open_count=Count("steps", filter=open_step),
            customer_open_count=Count("steps", filter=open_step & customer),
            customer_overdue_count=Count(
                "steps", filter=open_step & customer & Q(steps__due_on__lt=today)
            ),
        )
        .first()
    )


# --- reminders ---------------------------------------------------------------------------------


@dataclass
class RemindResult:
    steps_reminded: int = 0
    emails: int = 0
    provisioning_flagged: int = 0


def _checklist_url(checklist: OnboardingChecklist) -> str:
    return absolute_reverse("onboarding:detail", checklist.pk)


def _customer_emails(organisation_ids: set[int]) -> dict[int, list[str]]:
    """The customer side of each organisation: its main contacts and technical administrators,
    or every active contact where it has none."""
    admins: dict[int, list[str]] = defaultdict(list)
    everyone: dict[int, list[str]] = defaultdict(list)
    contacts = User.objects.filter(organisation_id__in=organisation_ids, is_active=True)
    for organisation_id, email, role in contacts.order_by("email").values_list(
        "organisation_id", "email", "contact_role"
    ):
        everyone[organisation_id].append(email)
        if role in CUSTOMER_ADMIN_ROLES:
            admins[organisation_id].append(email)
    return {pk: admins.get(pk) or everyone.get(pk, []) for pk in organisation_ids}


def _vendor_emails() -> list[str]:
    return sorted(settings.ONBOARDING_VENDOR_EMAILS) or manager_emails()


def onboarding_remind(*, now: datetime) -> RemindResult:
    """Remind the responsible side of every overdue step, once per step and local day.

    Runs hourly; per calendar it acts only from 08:00 local time on the calendar's working days
    (a customer is not mailed on a Sunday), and a unique ``OnboardingReminder`` row per (step,
    day) makes every later run that day, a second beat or a redelivered task send nothing.
    Overdue tenant provisioning goes to the vendor side and the support managers together.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime.")
    result = RemindResult()
    for calendar_id in Calendar.objects.values_list("pk", flat=True):
        calendar = sla.calendar_for(calendar_id)
        local = timezone.localtime(now, calendar.tz)
        today = local.date()
        if local.time() < REMINDER_LOCAL_TIME or not is_working_day(calendar, today):
            continue
        steps = (
            OnboardingStep.objects.filter(
                _open_steps(),
                due_on__lt=today,
                checklist__organisation__sla_policy__calendar_id=calendar_id,
            )
            .exclude(reminders__sent_on=today)
            .select_related("checklist__organisation")
            .order_by("checklist_id", "due_on", "position")
        )
        by_checklist: dict[int, list[OnboardingStep]] = defaultdict(list)
        for step in steps:
            by_checklist[step.checklist_id].append(step)
        if not by_checklist:
            continue
        customers = _customer_emails(
            {steps[0].checklist.organisation_id for steps in by_checklist.values()}
        )
        for checklist_steps in by_checklist.values():
            _remind_checklist(checklist_steps, calendar, today, now, customers, result)
    return result


def _remind_checklist(
    steps: list[OnboardingStep],
    calendar: BusinessCalendar,
    today: date,
    now: datetime,
    customers: dict[int, list[str]],
    result: RemindResult,
) -> None:
    checklist = steps[0].checklist
    organisation = checklist.organisation
    groups: dict[str, list[OnboardingStep]] = defaultdict(list)
    for step in steps:
        if step.code == Step.TENANT_PROVISIONING:
            groups["provisioning"].append(step)
        elif step.is_customers:
            groups["customer"].append(step)
        else:
            groups["vendor"].append(step)
    recipients = {
        "customer": customers.get(organisation.pk, []),
        "vendor": _vendor_emails(),
        "provisioning": sorted({*_vendor_emails(), *manager_emails()}),
    }
    messages = []
    with transaction.atomic():
        for side, side_steps in groups.items():
            to = recipients[side]
            claimed = [
                step
                for step in side_steps
                if _claim_reminder(step, today, now, to, flagged=side == "provisioning")
            ]
            if not claimed:
                continue
            result.steps_reminded += len(claimed)
            if not to:
                logger.warning("Nobody to remind of %s's overdue %s steps", organisation, side)
                continue
            context = {
                "organisation": organisation,
                "checklist": checklist,
                "steps": claimed,
                "today": today,
                "side": side,
                "url": _checklist_url(checklist),
            }
            if side == "provisioning":
                context["working_days"] = working_days_between(calendar, checklist.signed_on, today)
                subject = (
                    f"Provisioning overdue: {organisation}, {context['working_days']} working "
                    "days since signing"
                )
                result.provisioning_flagged += 1
            else:
                steps_text = f"{len(claimed)} step{'s' if len(claimed) != 1 else ''}"
                where = "on your side" if side == "customer" else "of the vendor"
                subject = f"Onboarding of {organisation}: {steps_text} {where} overdue"
            body = render_to_string("tenants/email/onboarding_reminder.txt", context)
            messages.append(EmailMessage(subject, body, None, to))
        mail_enqueue(messages)
    result.emails += len(messages)


def _claim_reminder(
    step: OnboardingStep, today: date, now: datetime, recipients: list[str], *, flagged: bool
) -> bool:
    """Insert today's reminder row of ``step``; False when another run already sent it."""
    try:
        with transaction.atomic():
            OnboardingReminder.objects.create(
                step=step,
                sent_on=today,
                sent_at=now,
                recipients=recipients,
                flagged_to_managers=flagged,
            )
    except IntegrityError:
        return False
    return True


def _send_tenant_ready(organisation: Organisation, tenants: list[Tenant]) -> None:
    recipients = list(
        User.objects.filter(organisation=organisation, is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    body = render_to_string(
        "tenants/email/tenant_ready.txt",
        {
            "organisation": organisation,
            "tenants": tenants,
            "url": absolute_reverse("home"),
        },
    )
    mail_enqueue([EmailMessage(f"Your tenant is ready: {organisation}", body, None, recipients)])

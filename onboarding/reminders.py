"""The daily onboarding reminders (hourly beat, see ``CELERY_BEAT_SCHEDULE``): the responsible
side of every overdue step is reminded once per local day from 08:00 on working days, and
provisioning that runs past its five working days is flagged to the support managers."""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from lib.urls import absolute_reverse
from outbox.services import mail_enqueue
from sla import services as sla
from sla.deadlines import (
    BusinessCalendar,
    is_working_day,
    working_days_between,
)
from sla.models import Calendar
from tenants.models import CUSTOMER_ADMIN_ROLES, User
from tenants.preferences import Mail, mail_to
from tenants.roles import managers

from .models import (
    OnboardingChecklist,
    OnboardingReminder,
    OnboardingStep,
)
from .selectors import open_steps
from .steps import PROVISIONING_WORKING_DAYS, Step

logger = logging.getLogger(__name__)

REMINDER_LOCAL_TIME = time(8, 0)


# --- reminders ---------------------------------------------------------------------------------


@dataclass
class RemindResult:
    steps_reminded: int = 0
    emails: int = 0
    provisioning_flagged: int = 0


def _checklist_url(checklist: OnboardingChecklist) -> str:
    return absolute_reverse("onboarding:detail", checklist.pk)


def _customer_people(organisation_ids: set[int]) -> dict[int, list[User]]:
    """The customer side of each organisation: its main contacts and technical administrators,
    or every active contact where it has none."""
    admins: dict[int, list[User]] = defaultdict(list)
    everyone: dict[int, list[User]] = defaultdict(list)
    contacts = User.objects.filter(organisation_id__in=organisation_ids, is_active=True)
    for contact in contacts.order_by("email"):
        everyone[contact.organisation_id].append(contact)
        if contact.contact_role in CUSTOMER_ADMIN_ROLES:
            admins[contact.organisation_id].append(contact)
    return {pk: admins.get(pk) or everyone.get(pk, []) for pk in organisation_ids}


def _vendor_side() -> tuple[list[User], list[str]]:
    """The vendor's onboarding team (addresses from settings), or else the support managers."""
    if settings.ONBOARDING_VENDOR_EMAILS:
        return [], sorted(settings.ONBOARDING_VENDOR_EMAILS)
    return list(managers()), []


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
                open_steps(),
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
        customers = _customer_people(
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
    customers: dict[int, list[User]],
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
    vendor_people, vendor_addresses = _vendor_side()
    audiences: dict[str, tuple[list[User], list[str]]] = {
        "customer": (customers.get(organisation.pk, []), []),
        "vendor": (vendor_people, vendor_addresses),
        "provisioning": (list({*vendor_people, *managers()}), vendor_addresses),
    }
    messages = []
    with transaction.atomic():
        for side, side_steps in groups.items():
            people, extra = audiences[side]
            to = sorted({*(p.email for p in people), *extra})
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
                context["allowed_days"] = PROVISIONING_WORKING_DAYS
                subject = (
                    f"Provisioning overdue: {organisation}, {context['working_days']} working "
                    "days since signing"
                )
                result.provisioning_flagged += 1
            else:
                steps_text = f"{len(claimed)} step{'s' if len(claimed) != 1 else ''}"
                where = "on your side" if side == "customer" else "of the vendor"
                subject = f"Onboarding of {organisation}: {steps_text} {where} overdue"
            messages += mail_to(
                people,
                Mail.ONBOARDING,
                extra=extra,
                subject=subject,
                template="onboarding/email/reminder.txt",
                context=context,
            )
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

"""The monthly SLA statement: on the first working day of each month, each customer organisation's
main contact and technical administrators get last month's availability per tenant and SLA
compliance per priority and target (from the reports), with a link to the pages.

Beat runs ``sla_statements_send`` every hour (``availability.tasks``). Per SLA calendar it acts
from ``STATEMENT_LOCAL_TIME`` on the calendar's first working day of the month, and keeps trying
for the rest of the month, so a run after downtime catches up. One ``SlaStatement`` row per
organisation and month, written in the transaction that queues the email, makes every later
run, a second beat or a racing worker send nothing again.

Managers preview any organisation's statement for any month (``statement_for``); the preview
and the email are drawn from the same ``Statement``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from lib.mail import compose
from lib.urls import absolute_reverse
from outbox.services import mail_enqueue
from reports import periods
from reports.compliance import Scope, compliance
from reports.tables import percent as report_percent
from sla import availability as arithmetic
from sla.deadlines import BusinessCalendar, is_working_day
from sla.models import Calendar
from sla.services import calendar_for, vendor_time_zone
from tenants.models import CUSTOMER_ADMIN_ROLES, Organisation, Tenant, User

from . import selectors
from .display import percent
from .models import SlaStatement

logger = logging.getLogger(__name__)

STATEMENT_LOCAL_TIME = time(8, 0)


@dataclass
class ComplianceSection:
    """SLA compliance per priority and target for the statement (``statement_compliance_section``)."""

    rows: list[dict] = field(default_factory=list)


def statement_compliance_section(organisation: Organisation, month: date) -> ComplianceSection:
    """The organisation's SLA compliance per priority and target in the month starting on
    ``month``: the figures of the reports (``reports.compliance``, months in the vendor's time
    zone), so the statement and the customer's and managers' pages say the same."""
    tz = vendor_time_zone()
    start, end = periods.month(month.year, month.month).bounds(tz)
    totals = compliance(
        start=start, end=end, now=timezone.now(), scope=Scope(organisation_id=organisation.pk)
    )
    return ComplianceSection(
        rows=[
            {
                "priority": figure.priority or "Service request",
                "target": figure.kind_label,
                "met": figure.met,
                "total": figure.decided,
                "percent": report_percent(figure.compliance),
            }
            for figure in totals.figures
            if figure.decided
        ]
    )


@dataclass
class Statement:
    organisation: Organisation
    year: int
    month: int
    tenants: list[selectors.TenantMonth]
    compliance: ComplianceSection

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def label(self) -> str:
        return f"{self.first_day:%B %Y}"

    @property
    def below_target(self) -> list[selectors.TenantMonth]:
        return [t for t in self.tenants if t.below_target]

    def figures(self) -> dict:
        """What the statement says, as stored with the sent row."""
        return {
            "tenants": [
                {
                    "tenant": t.tenant.name,
                    "percent": str(t.percent) if t.percent is not None else None,
                    "target": str(t.target) if t.target is not None else None,
                    "met": t.meets,
                }
                for t in self.tenants
            ],
            "compliance": self.compliance.rows,
        }


def statement_for(organisation: Organisation, *, year: int, month: int, now: datetime) -> Statement:
    """The organisation's statement for a month: every tenant measured in it, by name."""
    tenants = selectors.tenant_rows(
        Tenant.objects.filter(organisation=organisation, provisioned_at__isnull=False).order_by(
            "name"
        )
    )
    months = [m for m in selectors.tenant_months(tenants, year, month, now=now) if m.figures]
    return Statement(
        organisation=organisation,
        year=year,
        month=month,
        tenants=months,
        compliance=statement_compliance_section(organisation, date(year, month, 1)),
    )


def first_working_day(calendar: BusinessCalendar, year: int, month: int) -> date:
    day = date(year, month, 1)
    for _ in range(31):
        if is_working_day(calendar, day):
            return day
        day += timedelta(days=1)
    raise ValueError("The calendar has no working day in that month; check its opening hours.")


def statement_due(calendar: BusinessCalendar, now: datetime) -> tuple[int, int] | None:
    """The month whose statement is due at ``now`` under ``calendar``: last month, from
    ``STATEMENT_LOCAL_TIME`` on this month's first working day to the end of this month."""
    local = now.astimezone(calendar.tz)
    first = first_working_day(calendar, local.year, local.month)
    if (local.date(), local.time()) < (first, STATEMENT_LOCAL_TIME):
        return None
    return selectors.previous_month(local.year, local.month)


def statement_recipients(organisation: Organisation) -> list[str]:
    """The main contact and technical administrators (the customer admin roles) who are active."""
    return sorted(
        User.objects.filter(
            organisation=organisation, is_active=True, contact_role__in=CUSTOMER_ADMIN_ROLES
        ).values_list("email", flat=True)
    )


def sla_statements_send(*, now: datetime) -> int:
    """Send every monthly statement due at ``now`` that has not been sent; returns how many.

    Call it outside a transaction: each statement commits (and its mail goes out) on its own.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime.")
    sent = 0
    for calendar_id in Calendar.objects.values_list("pk", flat=True).order_by("pk"):
        calendar = calendar_for(calendar_id)
        due = statement_due(calendar, now)
        if due is None:
            continue
        year, month = due
        first = date(year, month, 1)
        period = arithmetic.month_span(year, month, calendar.tz)
        organisations = (
            Organisation.objects.filter(
                sla_policy__calendar_id=calendar_id, tenants__provisioned_at__lt=period.end
            )
            .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gte=first))
            .exclude(sla_statements__month=first)
            .select_related("sla_policy")
            .distinct()
            .order_by("pk")
        )
        for organisation in organisations:
            sent += _send_statement(organisation, year, month, now)
    if sent:
        logger.info("SLA statements at %s: %d sent", now.isoformat(), sent)
    return sent


def _send_statement(organisation: Organisation, year: int, month: int, now: datetime) -> bool:
    statement = statement_for(organisation, year=year, month=month, now=now)
    if not statement.tenants:
        return False
    recipients = statement_recipients(organisation)
    try:
        with transaction.atomic():
            SlaStatement.objects.create(
                organisation=organisation,
                month=statement.first_day,
                sent_at=now,
                recipients=recipients,
                figures=statement.figures(),
            )
            if not recipients:
                logger.warning("Nobody to send %s's SLA statement to", organisation)
                return False
            mail_enqueue([statement_message(statement, recipients)])
    except IntegrityError:  # another run sent it a moment ago
        return False
    return True


def statement_message(statement: Statement, recipients: list[str]):
    return compose(
        subject=f"SLA statement for {statement.label}: {statement.organisation.name}",
        template="availability/email/sla_statement.txt",
        context={
            "statement": statement,
            "rows": [
                {
                    "tenant": t.tenant.name,
                    "kind": t.tenant.get_kind_display(),
                    "percent": percent(t.percent),
                    "target": percent(t.target),
                    "met": t.meets,
                }
                for t in statement.tenants
            ],
            "url": absolute_reverse("availability:month")
            + f"?month={statement.year:04d}-{statement.month:02d}",
        },
        to=recipients,
    )

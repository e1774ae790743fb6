"""A person's own settings: the time zone pages and emails show them, and which of the portal's
mails they receive. The one place that answers "which zone for this person" and "does this
person get this mail".

- Time zone: the person's choice; by default a customer contact gets the zone of their
  organisation's main tenant's data centre (set when the account is created), support staff the
  vendor's (``settings.TIME_ZONE``).
- Mail: every kind is on unless the person turned it off, except where a rule keeps it on: the
  engineers on duty for critical incidents (L1, 24/7) always get P1 alerts, and managers always
  get a P1 that missed its resolution target.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models
from django.utils import timezone

from lib.mail import compose

from .models import REGION_OF_DATA_CENTRE, DataCentre, Region, SupportLevel, User

# The zone of each maintenance region's data centre (Oregon, Frankfurt, Sydney, Cape Town).
REGION_TIME_ZONES = {
    Region.AMERICAS: "America/Los_Angeles",
    Region.EUROPE: "Europe/Berlin",
    Region.APAC: "Australia/Sydney",
    Region.AFRICA: "Africa/Johannesburg",
}
# Critical incidents are worked 24/7 at this level (SPEC "L1 … 24/7 for critical incidents").
ON_DUTY_LEVEL = SupportLevel.L1


def default_time_zone(user: User) -> str:
    """The zone a new account starts with."""
    if user.is_customer and user.organisation_id:
        tenant = (
            user.organisation.tenants.order_by("-kind", "name")  # production before test
            .values_list("data_centre", flat=True)
            .first()
        )
        if tenant:
            return REGION_TIME_ZONES[REGION_OF_DATA_CENTRE[DataCentre(tenant)]]
    return settings.TIME_ZONE


def time_zone_of(user) -> ZoneInfo:
    """The zone pages and emails show ``user`` (the vendor's for anyone without one)."""
    name = getattr(user, "time_zone", "") or settings.TIME_ZONE
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


class Mail(models.TextChoices):
    """The kinds of mail a person may choose to receive."""

    TICKET_UPDATES = "ticket_updates", "Replies and status changes from support on my tickets"
    FILED = "filed", "A confirmation when I file a ticket"
    CUSTOMER_REPLIES = "customer_replies", "Customer replies on tickets I hold or at my level"
    CRITICAL = "critical", "P1 and P2 incidents filed or raised to P1/P2"
    ESCALATIONS = "escalations", "Tickets escalated or handed back to my level"
    SLA_WARNINGS = "sla_warnings", "SLA warnings before a deadline"
    SLA_BREACHES = "sla_breaches", "SLA breach alerts"
    ONBOARDING = "onboarding", "Onboarding reminders"


CUSTOMER_MAIL = (Mail.TICKET_UPDATES, Mail.FILED, Mail.ONBOARDING)
STAFF_MAIL = (
    Mail.CUSTOMER_REPLIES,
    Mail.CRITICAL,
    Mail.ESCALATIONS,
    Mail.SLA_WARNINGS,
    Mail.SLA_BREACHES,
    Mail.ONBOARDING,
)


def mail_choices(user: User) -> tuple[Mail, ...]:
    """The kinds of mail ``user`` can receive at all, and so choose about."""
    if user.is_customer:
        return CUSTOMER_MAIL
    if user.is_support_staff:
        return STAFF_MAIL
    return ()


def always_on(user: User, kind: str, *, priority: str = "") -> bool:
    """Mail the person may not turn off: P1 alerts for the on-duty level, and P1 breaches of
    the resolution target for managers."""
    if kind == Mail.CRITICAL and priority == "P1":
        return user.support_level == ON_DUTY_LEVEL or user.is_support_manager
    return kind == Mail.SLA_BREACHES and priority == "P1" and user.is_support_manager


def locked_choices(user: User) -> set[str]:
    """The kinds the preferences page shows as always on for ``user`` (for their P1 cases)."""
    return {kind for kind in mail_choices(user) if always_on(user, kind, priority="P1")}


def receives(user: User, kind: str, *, priority: str = "") -> bool:
    """Whether ``user`` gets mail of ``kind`` (about a ticket of ``priority``)."""
    if not user.is_active or not user.email:
        return False
    if always_on(user, kind, priority=priority):
        return True
    return kind not in (user.quiet_mail or [])


def recipients(users, kind: str, *, priority: str = "") -> list[str]:
    """The addresses of ``users`` who receive ``kind``."""
    return sorted({u.email for u in users if receives(u, kind, priority=priority)})


def mail_to(
    people,
    kind: str,
    *,
    subject: Callable[[], str] | str,
    template: str,
    context: dict,
    priority: str = "",
    extra: Iterable[str] = (),
) -> list[EmailMessage]:
    """The messages of one mail to ``people``: only those who receive ``kind`` (about a ticket
    of ``priority``), one message per time zone among them, each rendered in that zone (times
    in the template and a callable ``subject`` use it as the active zone). ``extra`` addresses
    (a team list from settings) get the vendor's zone."""
    by_zone: dict[str, list[str]] = defaultdict(list)
    for person in people:
        if receives(person, kind, priority=priority):
            by_zone[time_zone_of(person).key].append(person.email)
    for address in extra:
        by_zone[settings.TIME_ZONE].append(address)
    messages = []
    for zone, addresses in sorted(by_zone.items()):
        with timezone.override(ZoneInfo(zone)):
            message = compose(
                subject=subject() if callable(subject) else subject,
                template=template,
                context={**context, "time_zone": zone},
                to=addresses,
            )
        if message is not None:
            messages.append(message)
    return messages

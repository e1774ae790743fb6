"""Maintenance notices (service description §5.1.3): a preliminary notice on the Tuesday before
the maintenance weekend, a start notice when the maintenance begins and a completion notice
when it is finished, for every window marked *used*, to the subscribed contacts of every
organisation with a production or test tenant in the window's region.

Beat runs ``maintenance_notices_send`` every few minutes (``availability.tasks``). It is safe to
run late, twice, or twice at the same moment:

- "Due" means at or before ``now``, so the first run after downtime sends what the missed runs
  would have sent, within limits that keep a late notice useful: a preliminary notice only
  before the window starts (never after), a start notice only while the window is on, a
  completion notice up to ``COMPLETION_CATCH_UP`` after it ended.
- Each (window, kind, contact) is claimed by a unique ``MaintenanceNotice`` row written in the
  transaction that queues the email. The window row is locked first, so two runs for the same
  window wait for each other and the second finds the rows of the first; the unique constraint
  is the last word if anything gets past that (a ``IntegrityError`` rolls the run's batch back,
  so nothing is mailed twice).
- The lock also re-reads the window: one cancelled or marked unused since the run started is
  not announced.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q

from lib.mail import compose
from lib.urls import absolute_reverse
from outbox.services import mail_enqueue
from sla.availability import preliminary_notice_at
from sla.services import vendor_time_zone
from tenants.models import Region, Tenant, User

from . import selectors
from .display import window_time
from .models import MaintenanceKind, MaintenanceNotice, MaintenanceWindow

logger = logging.getLogger(__name__)

Kind = MaintenanceNotice.Kind

# The preliminary notice goes out at this local time on the Tuesday (vendor's time zone).
PRELIMINARY_LOCAL_TIME = time(9, 0)
# A completion notice this long after the end still tells people the service is back; later
# than that it is noise.
COMPLETION_CATCH_UP = timedelta(days=1)
# The preliminary notice comes at most 7 days and some hours before a window starts.
LOOKAHEAD = timedelta(days=9)


@dataclass
class NoticeResult:
    """What one run sent."""

    notices: int = 0
    windows: int = 0


def due_kinds(window: MaintenanceWindow, *, now: datetime, tz) -> list[str]:
    """Which notices of ``window`` are due at ``now`` (before any are claimed)."""
    if not window.used or window.is_cancelled:
        return []
    if now < window.starts_at:
        if preliminary_notice_at(window.starts_at, tz, PRELIMINARY_LOCAL_TIME) <= now:
            return [Kind.PRELIMINARY]
        return []
    if now < window.ends_at:
        return [Kind.START]
    if now < window.ends_at + COMPLETION_CATCH_UP:
        return [Kind.COMPLETION]
    return []


def maintenance_notices_send(*, now: datetime) -> NoticeResult:
    """Send every maintenance notice due at ``now`` that has not been sent to its contact.

    Call it outside a transaction: each window's notices commit (and their mail goes out) on
    their own. Running it again, or concurrently, sends nothing twice.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime.")
    result = NoticeResult()
    candidates = list(
        MaintenanceWindow.objects.filter(
            used=True,
            cancelled_at__isnull=True,
            starts_at__lt=now + LOOKAHEAD,
            ends_at__gt=now - COMPLETION_CATCH_UP,
        ).order_by("starts_at", "pk")
    )
    if not candidates:
        return result
    tz = vendor_time_zone()
    for window in candidates:
        for kind in due_kinds(window, now=now, tz=tz):
            sent = _send(window.pk, kind, now, tz)
            result.notices += sent
            result.windows += bool(sent)
    if result.notices:
        logger.info("Maintenance notices at %s: %d sent", now.isoformat(), result.notices)
    return result


def _recipients(window: MaintenanceWindow, kind: str, today) -> list[User]:
    """Subscribed, active contacts of organisations in service with a tenant in the window's
    region, who have not had this notice."""
    return list(
        User.objects.filter(
            is_active=True,
            organisation__isnull=False,
            maintenance_subscription__subscribed=True,
            organisation__tenants__data_centre__in=selectors.data_centres_of(window.region),
        )
        .filter(
            Q(organisation__terminated_on__isnull=True) | Q(organisation__terminated_on__gte=today)
        )
        .exclude(
            pk__in=MaintenanceNotice.objects.filter(window=window, kind=kind).values("recipient_id")
        )
        .select_related("organisation")
        .distinct()
        .order_by("pk")
    )


def _send(window_id: int, kind: str, now: datetime, tz) -> int:
    try:
        with transaction.atomic():
            window = (
                MaintenanceWindow.objects.select_for_update()
                .filter(pk=window_id, used=True, cancelled_at__isnull=True)
                .first()
            )
            if window is None or kind not in due_kinds(window, now=now, tz=tz):
                return 0
            recipients = _recipients(window, kind, now.astimezone(tz).date())
            if not recipients:
                return 0
            MaintenanceNotice.objects.bulk_create(
                MaintenanceNotice(
                    window=window, kind=kind, recipient=user, email=user.email, sent_at=now
                )
                for user in recipients
            )
            mail_enqueue(
                _message(window, kind, user, tenants, tz)
                for user, tenants in _with_tenants(window, recipients)
            )
            return len(recipients)
    except IntegrityError:
        # A racing run claimed some of these contacts first; this run's batch was rolled back
        # and mails nothing. The next run sends whatever is still owed.
        logger.info(
            "Maintenance notice %s of window %s was claimed by another run", kind, window_id
        )
        return 0


def _with_tenants(window: MaintenanceWindow, recipients: list[User]):
    """Each recipient with their organisation's tenants in the window's region (one query)."""
    tenants: dict[int, list[str]] = defaultdict(list)
    for organisation_id, name in (
        Tenant.objects.filter(
            organisation_id__in={u.organisation_id for u in recipients},
            data_centre__in=selectors.data_centres_of(window.region),
        )
        .order_by("name")
        .values_list("organisation_id", "name")
    ):
        tenants[organisation_id].append(name)
    return [(user, tenants[user.organisation_id]) for user in recipients]


SUBJECTS = {
    Kind.PRELIMINARY: "Maintenance planned in {region}: {when}",
    Kind.START: "Maintenance started in {region}",
    Kind.COMPLETION: "Maintenance completed in {region}",
}


def _message(window: MaintenanceWindow, kind: str, user: User, tenants: list[str], tz):
    region = Region(window.region).label
    start = window.starts_at.astimezone(UTC)
    when = f"{start:%a} {start.day} {start:%b %Y %H:%M} UTC"
    return compose(
        subject=SUBJECTS[kind].format(region=region, when=when),
        template="availability/email/maintenance_notice.txt",
        context={
            "kind": kind,
            "window": window,
            "region": region,
            "quarterly": window.kind == MaintenanceKind.QUARTERLY,
            "time": window_time(window.starts_at, window.ends_at, tz),
            "user": user,
            "tenants": tenants,
            "status_url": absolute_reverse("availability:status"),
            "settings_url": absolute_reverse("availability:notices"),
        },
        to=[user.email],
    )

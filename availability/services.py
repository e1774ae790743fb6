"""Every write on availability data: outages, maintenance windows and subscriptions.

Each function is atomic and takes keyword-only arguments. Refusals are ``ValidationError``s with
a code and a sentence (field errors by the form field's name), or ``PermissionDenied``.
Outage changes are written on the timeline of every linked ticket; window changes keep a
``MaintenanceWindowChange`` row with the actor and the reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sla import availability as arithmetic
from sla.availability import Span
from sla.services import standard_policy_ensure
from tenants.models import Region, Tenant, User
from tickets.models import Ticket, TicketEvent
from tickets.services import ticket_log_event

from . import permissions, selectors
from .display import instant
from .models import (
    AvailabilityTarget,
    MaintenanceKind,
    MaintenanceSlot,
    MaintenanceSubscription,
    MaintenanceWindow,
    MaintenanceWindowChange,
    Outage,
)
from .standard import (
    DEFAULT_TARGET_PERCENT,
    QUARTERLY_SLOTS,
    QUARTERLY_WINDOWS_PER_YEAR,
    SLOTS_EFFECTIVE_FROM,
    WEEKLY_SLOTS,
)

# A moved window stays near its reserved time: further than this it would collide with the
# next week's occurrence (cancel it and use that one instead).
MAX_MOVE = timedelta(days=7)

Change = MaintenanceWindowChange.Action


def _now(now: datetime | None) -> datetime:
    now = now or timezone.now()
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime.")
    return now


class OutageChanged(ValidationError):
    """The outage changed after the actor loaded it."""

    def __init__(self) -> None:
        super().__init__(
            "Someone changed this outage while you were looking at it. Reload the page and "
            "try again.",
            code="outage_changed",
        )


# --- defaults ----------------------------------------------------------------------------------


@transaction.atomic
def availability_defaults_ensure() -> None:
    """Load the standard slots and target if the database lacks them (the migration normally
    loaded them; a database emptied by a transactional test has not)."""
    standard_policy_ensure()
    if not AvailabilityTarget.objects.filter(policy__isnull=True).exists():
        AvailabilityTarget.objects.create(policy=None, percent=DEFAULT_TARGET_PERCENT)
    for kind, slots in (
        (MaintenanceKind.WEEKLY, WEEKLY_SLOTS),
        (MaintenanceKind.QUARTERLY, QUARTERLY_SLOTS),
    ):
        for region, weekday, starts_at, minutes in slots:
            MaintenanceSlot.objects.get_or_create(
                region=region,
                kind=kind,
                effective_from=SLOTS_EFFECTIVE_FROM,
                defaults={"weekday": weekday, "starts_at": starts_at, "duration_minutes": minutes},
            )


# --- outages -----------------------------------------------------------------------------------


def _require_outage_staff(actor: User) -> None:
    if not permissions.can_record_outages(actor):
        raise PermissionDenied("Only support staff can record outages.")


def _check_times(starts_at: datetime, ends_at: datetime | None, now: datetime) -> None:
    errors = {}
    if starts_at > now:
        errors["starts_at"] = ValidationError(
            "An outage cannot start in the future; record it once it has begun.",
            code="starts_in_future",
        )
    if ends_at is not None:
        if ends_at <= starts_at:
            errors["ends_at"] = ValidationError(
                "The end must come after the start.", code="ends_before_start"
            )
        elif ends_at > now:
            errors["ends_at"] = ValidationError(
                "The end cannot be in the future; leave it empty while the outage goes on.",
                code="ends_in_future",
            )
    if errors:
        raise ValidationError(errors)


def _check_tickets(tickets: Sequence[Ticket], tenant_ids: set[int]) -> None:
    for ticket in tickets:
        if ticket.kind != Ticket.Kind.INCIDENT:
            raise ValidationError(
                {
                    "tickets": ValidationError(
                        f"Ticket {ticket.number} is a service request; link incidents only.",
                        code="ticket_not_incident",
                    )
                }
            )
        if ticket.tenant_id not in tenant_ids:
            raise ValidationError(
                {
                    "tickets": ValidationError(
                        f"Ticket {ticket.number} is about tenant {ticket.tenant}, which is not "
                        "one of this outage's tenants.",
                        code="ticket_other_tenant",
                    )
                }
            )


def _describe(outage: Outage) -> str:
    """The outage in one line, in the organisation's time zone, for timelines."""
    tz = selectors.zone_of(outage.tenant.organisation)
    text = (
        f"{outage.get_scope_display()} of {outage.tenant.name} from {instant(outage.starts_at, tz)}"
    )
    if outage.ends_at is None:
        return text + ", still ongoing"
    return text + f" to {instant(outage.ends_at, tz)}"


def _log(ticket: Ticket, actor: User | None, outage: Outage, change: str, body: str, now) -> None:
    ticket_log_event(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.OUTAGE,
        body=body,
        public=True,
        now=now,
        outage_id=outage.pk,
        tenant=outage.tenant.name,
        change=change,
        scope=outage.scope,
        starts_at=outage.starts_at.isoformat(),
        ends_at=outage.ends_at.isoformat() if outage.ends_at else None,
    )


@transaction.atomic
def outage_record(
    *,
    actor: User,
    tenants: Sequence[Tenant],
    starts_at: datetime,
    scope: str,
    cause: str,
    ends_at: datetime | None = None,
    tickets: Sequence[Ticket] = (),
    now: datetime | None = None,
) -> list[Outage]:
    """Record one outage per tenant (several for a data-centre incident, sharing one
    ``incident``), linking each ticket to its own tenant's outage and writing the outage on
    those tickets' timelines. ``tickets`` must be incidents of some of ``tenants``."""
    now = _now(now)
    _require_outage_staff(actor)
    tenants = list({t.pk: t for t in tenants}.values())
    if not tenants:
        raise ValidationError(
            {"tenants": ValidationError("Choose at least one tenant.", code="no_tenants")}
        )
    if scope not in Outage.Scope.values:
        raise ValidationError({"scope": ValidationError("Choose full or partial.", code="scope")})
    if not cause.strip():
        raise ValidationError(
            {"cause": ValidationError("Say what happened.", code="cause_required")}
        )
    _check_times(starts_at, ends_at, now)
    _check_tickets(tickets, {t.pk for t in tenants})
    incident, cause = uuid.uuid4(), cause.strip()
    outages = []
    for tenant in sorted(tenants, key=lambda t: t.name):
        outage = Outage.objects.create(
            tenant=tenant,
            starts_at=starts_at,
            ends_at=ends_at,
            scope=scope,
            cause=cause,
            incident=incident,
            recorded_by=actor,
            created_at=now,
            updated_at=now,
        )
        linked = [t for t in tickets if t.tenant_id == tenant.pk]
        if linked:
            outage.tickets.add(*linked)
            for ticket in linked:
                _log(
                    ticket,
                    actor,
                    outage,
                    "recorded",
                    f"Outage recorded: {_describe(outage)}. {outage.cause}",
                    now,
                )
        outages.append(outage)
    return outages


def _locked_outage(outage: Outage, version: int | None) -> Outage:
    fresh = (
        Outage.objects.select_for_update(of=("self",))
        .select_related("tenant__organisation__sla_policy")
        .get(pk=outage.pk)
    )
    if version is not None and fresh.version != version:
        raise OutageChanged()
    return fresh


@transaction.atomic
def outage_update(
    *,
    outage: Outage,
    actor: User,
    starts_at: datetime,
    ends_at: datetime | None,
    scope: str,
    cause: str,
    tickets: Sequence[Ticket],
    version: int,
    now: datetime | None = None,
) -> Outage:
    """Correct an outage (times, scope, cause, linked incidents). ``version`` is the one the
    actor saw. Tickets that stay linked get the change on their timeline, tickets newly linked
    get the outage, tickets unlinked are told it no longer applies."""
    now = _now(now)
    _require_outage_staff(actor)
    outage = _locked_outage(outage, version)
    if scope not in Outage.Scope.values:
        raise ValidationError({"scope": ValidationError("Choose full or partial.", code="scope")})
    if not cause.strip():
        raise ValidationError(
            {"cause": ValidationError("Say what happened.", code="cause_required")}
        )
    _check_times(starts_at, ends_at, now)
    _check_tickets(tickets, {outage.tenant_id})
    before = (outage.starts_at, outage.ends_at, outage.scope, outage.cause.strip())
    old_tickets = {t.pk: t for t in outage.tickets.all()}
    new_tickets = {t.pk: t for t in tickets}
    outage.starts_at, outage.ends_at, outage.scope, outage.cause = (
        starts_at,
        ends_at,
        scope,
        cause.strip(),
    )
    changed = before != (outage.starts_at, outage.ends_at, outage.scope, outage.cause)
    if not changed and old_tickets.keys() == new_tickets.keys():
        return outage
    outage.version += 1
    outage.updated_at = now
    outage.save(update_fields=["starts_at", "ends_at", "scope", "cause", "version", "updated_at"])
    outage.tickets.set(list(new_tickets.values()))
    ended = before[1] is None and outage.ends_at is not None
    verb = "ended" if ended else "updated"
    for pk, ticket in new_tickets.items():
        if pk not in old_tickets:
            _log(
                ticket,
                actor,
                outage,
                "linked",
                f"Outage linked: {_describe(outage)}. {outage.cause}",
                now,
            )
        elif changed:
            _log(ticket, actor, outage, verb, f"Outage {verb}: {_describe(outage)}.", now)
    for pk, ticket in old_tickets.items():
        if pk not in new_tickets:
            _log(
                ticket,
                actor,
                outage,
                "unlinked",
                f"Outage no longer linked to this ticket: {_describe(outage)}.",
                now,
            )
    return outage


@transaction.atomic
def outage_end(
    *,
    outage: Outage,
    actor: User,
    ends_at: datetime,
    version: int | None,
    whole_incident: bool = False,
    now: datetime | None = None,
) -> list[Outage]:
    """End an ongoing outage at ``ends_at`` (and, with ``whole_incident``, every other ongoing
    outage recorded with it), writing the end on the linked tickets' timelines."""
    now = _now(now)
    _require_outage_staff(actor)
    outage = _locked_outage(outage, version)
    if outage.ends_at is not None:
        raise ValidationError("This outage has already ended.", code="already_ended")
    targets = [outage]
    if whole_incident:
        targets += list(
            Outage.objects.select_for_update(of=("self",))
            .select_related("tenant__organisation__sla_policy")
            .filter(incident=outage.incident, ends_at__isnull=True)
            .exclude(pk=outage.pk)
            .order_by("pk")
        )
    ended = []
    for item in targets:
        _check_times(item.starts_at, ends_at, now)
        item.ends_at = ends_at
        item.version += 1
        item.updated_at = now
        item.save(update_fields=["ends_at", "version", "updated_at"])
        for ticket in item.tickets.all():
            _log(ticket, actor, item, "ended", f"Outage ended: {_describe(item)}.", now)
        ended.append(item)
    return ended


# --- maintenance windows -----------------------------------------------------------------------


def _require_window_staff(actor: User) -> None:
    if not permissions.can_manage_windows(actor):
        raise PermissionDenied("Only support staff can change maintenance windows.")


def _change(
    window: MaintenanceWindow,
    actor: User | None,
    action: str,
    now: datetime,
    reason: str = "",
    **data,
) -> None:
    MaintenanceWindowChange.objects.create(
        window=window, actor=actor, action=action, at=now, reason=reason, data=data
    )


def _locked_window(window: MaintenanceWindow) -> MaintenanceWindow:
    return MaintenanceWindow.objects.select_for_update().get(pk=window.pk)


@transaction.atomic
def maintenance_window_open(
    *, region: str, planned_starts_at: datetime, actor: User
) -> MaintenanceWindow:
    """The stored row of a weekly occurrence, created from its slot if it has none yet, so that
    staff can mark, move or cancel it. ``planned_starts_at`` must be an occurrence."""
    _require_window_staff(actor)
    if region not in Region.values:
        raise ValidationError("There is no such maintenance region.", code="unknown_region")
    probe = Span(planned_starts_at, planned_starts_at + timedelta(microseconds=1))
    occurrence = next(
        (
            span
            for rule in selectors.weekly_rules().get(region, ())
            for span in arithmetic.weekly_occurrences(rule, probe)
            if span.start == planned_starts_at
        ),
        None,
    )
    if occurrence is None:
        raise ValidationError(
            f"No weekly window of {Region(region).label} starts at "
            f"{planned_starts_at.astimezone(UTC):%a %d %b %Y %H:%M} UTC.",
            code="not_an_occurrence",
        )
    try:
        with transaction.atomic():
            window, _ = MaintenanceWindow.objects.get_or_create(
                region=region,
                kind=MaintenanceKind.WEEKLY,
                planned_starts_at=occurrence.start,
                defaults={
                    "planned_ends_at": occurrence.end,
                    "starts_at": occurrence.start,
                    "ends_at": occurrence.end,
                },
            )
    except IntegrityError:  # another request created it a moment ago
        window = MaintenanceWindow.objects.get(
            region=region, kind=MaintenanceKind.WEEKLY, planned_starts_at=occurrence.start
        )
    return window


@transaction.atomic
def maintenance_window_schedule(
    *,
    region: str,
    starts_on: date,
    actor: User,
    summary: str = "",
    used: bool = True,
    now: datetime | None = None,
) -> MaintenanceWindow:
    """Schedule a quarterly window of ``region`` starting on ``starts_on`` (a UTC date on the
    region's quarterly slot weekday) at the slot's time, for the slot's 53 hours. At most
    ``QUARTERLY_WINDOWS_PER_YEAR`` per region and year; they may not overlap."""
    now = _now(now)
    if not permissions.can_schedule_quarterly(actor):
        raise PermissionDenied(
            "Only support managers and administrators schedule quarterly windows."
        )
    if region not in Region.values:
        raise ValidationError(
            {"region": ValidationError("Choose a maintenance region.", code="unknown_region")}
        )
    label = Region(region).label
    midnight = datetime.combine(starts_on, datetime.min.time(), UTC)
    slot = selectors.quarterly_slot(region, midnight + timedelta(days=1))
    if slot is None:
        raise ValidationError(
            f"{label} has no quarterly slot yet; an administrator adds one in admin.",
            code="no_quarterly_slot",
        )
    if starts_on.weekday() != slot.weekday:
        raise ValidationError(
            {
                "starts_on": ValidationError(
                    f"{label}'s quarterly window starts on a {slot.get_weekday_display()} "
                    f"at {slot.starts_at:%H:%M} UTC; {starts_on:%d %B %Y} is a {starts_on:%A}.",
                    code="wrong_weekday",
                )
            }
        )
    starts_at = datetime.combine(starts_on, slot.starts_at, UTC)
    ends_at = starts_at + slot.duration
    if starts_at <= now:
        raise ValidationError(
            {"starts_on": ValidationError("Schedule a window in the future.", code="in_past")}
        )
    live = MaintenanceWindow.objects.filter(
        region=region, kind=MaintenanceKind.QUARTERLY, cancelled_at__isnull=True
    )
    year = starts_at.year
    in_year = live.filter(
        planned_starts_at__gte=datetime(year, 1, 1, tzinfo=UTC),
        planned_starts_at__lt=datetime(year + 1, 1, 1, tzinfo=UTC),
    ).count()
    if in_year >= QUARTERLY_WINDOWS_PER_YEAR:
        raise ValidationError(
            {
                "starts_on": ValidationError(
                    f"{label} already has {in_year} quarterly windows in {year}; the service "
                    f"description allows {QUARTERLY_WINDOWS_PER_YEAR} a year. Cancel one first.",
                    code="too_many_quarterly",
                )
            }
        )
    if live.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise ValidationError(
            {
                "starts_on": ValidationError(
                    f"{label} already has a quarterly window at that time.", code="overlaps"
                )
            }
        )
    try:
        with transaction.atomic():
            window = MaintenanceWindow.objects.create(
                region=region,
                kind=MaintenanceKind.QUARTERLY,
                planned_starts_at=starts_at,
                planned_ends_at=ends_at,
                starts_at=starts_at,
                ends_at=ends_at,
                used=used,
                summary=summary.strip(),
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        raise ValidationError(
            {
                "starts_on": ValidationError(
                    "That window was cancelled; a window cannot be scheduled twice at one time.",
                    code="already_scheduled",
                )
            }
        ) from None
    _change(window, actor, Change.SCHEDULED, now, used=used)
    return window


def _require_changeable(window: MaintenanceWindow, now: datetime, what: str) -> None:
    if window.is_cancelled:
        raise ValidationError(
            f"This window was cancelled; it cannot be {what}.", code="window_cancelled"
        )
    if window.starts_at <= now:
        raise ValidationError(
            f"This window has already started; it cannot be {what}.", code="window_started"
        )


@transaction.atomic
def maintenance_window_set_used(
    *,
    window: MaintenanceWindow,
    actor: User,
    used: bool,
    summary: str | None = None,
    now: datetime | None = None,
) -> MaintenanceWindow:
    """Mark a window used (announced to subscribers) or not, with what it is for. A window can
    be marked while it has not ended; notices that are due go out with the next notice run."""
    now = _now(now)
    _require_window_staff(actor)
    window = _locked_window(window)
    if window.is_cancelled:
        raise ValidationError("This window was cancelled.", code="window_cancelled")
    if window.ends_at <= now:
        raise ValidationError(
            "This window has ended; whether it was used can no longer be changed.",
            code="window_ended",
        )
    fields = []
    if summary is not None and summary.strip() != window.summary:
        window.summary = summary.strip()
        fields.append("summary")
        _change(window, actor, Change.SUMMARY, now, summary=window.summary)
    if used != window.used:
        window.used = used
        fields.append("used")
        _change(window, actor, Change.MARKED_USED if used else Change.MARKED_UNUSED, now)
    if fields:
        window.updated_at = now
        window.save(update_fields=[*fields, "updated_at"])
    return window


@transaction.atomic
def maintenance_window_move(
    *,
    window: MaintenanceWindow,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    now: datetime | None = None,
) -> MaintenanceWindow:
    """Move a window that has not started to another time in the future, within
    ``MAX_MOVE`` of its reserved start and no longer than it was reserved for."""
    now = _now(now)
    _require_window_staff(actor)
    window = _locked_window(window)
    _require_changeable(window, now, "moved")
    if not reason.strip():
        raise ValidationError(
            {"reason": ValidationError("Say why the window moves.", code="reason_required")}
        )
    errors = {}
    if starts_at <= now:
        errors["starts_at"] = ValidationError("Move it to a time in the future.", code="in_past")
    elif abs(starts_at - window.planned_starts_at) > MAX_MOVE:
        errors["starts_at"] = ValidationError(
            "A window moves at most 7 days from its reserved time; cancel it and use another "
            "week's window instead.",
            code="too_far",
        )
    if ends_at <= starts_at:
        errors["ends_at"] = ValidationError(
            "The end must come after the start.", code="ends_before_start"
        )
    elif ends_at - starts_at > window.planned_length:
        hours = window.planned_length / timedelta(hours=1)
        errors["ends_at"] = ValidationError(
            f"The window was reserved for {hours:g} hours; a move cannot make it longer.",
            code="too_long",
        )
    if errors:
        raise ValidationError(errors)
    before = {
        "from_starts_at": window.starts_at.isoformat(),
        "from_ends_at": window.ends_at.isoformat(),
    }
    window.starts_at, window.ends_at, window.updated_at = starts_at, ends_at, now
    window.save(update_fields=["starts_at", "ends_at", "updated_at"])
    _change(
        window,
        actor,
        Change.MOVED,
        now,
        reason.strip(),
        **before,
        to_starts_at=starts_at.isoformat(),
        to_ends_at=ends_at.isoformat(),
    )
    return window


@transaction.atomic
def maintenance_window_cancel(
    *, window: MaintenanceWindow, actor: User, reason: str, now: datetime | None = None
) -> MaintenanceWindow:
    """Cancel a window that has not started: it is not announced, and its time counts towards
    availability like any other."""
    now = _now(now)
    _require_window_staff(actor)
    window = _locked_window(window)
    _require_changeable(window, now, "cancelled")
    if not reason.strip():
        raise ValidationError(
            {"reason": ValidationError("Say why the window is cancelled.", code="reason_required")}
        )
    window.cancelled_at = now
    window.updated_at = now
    window.save(update_fields=["cancelled_at", "updated_at"])
    _change(window, actor, Change.CANCELLED, now, reason.strip())
    return window


# --- subscriptions -----------------------------------------------------------------------------


@transaction.atomic
def maintenance_subscription_set(
    *, user: User, subscribed: bool, now: datetime | None = None
) -> MaintenanceSubscription:
    """Switch ``user``'s own maintenance notices on or off. Customer contacts only."""
    now = _now(now)
    if not permissions.can_subscribe(user):
        raise PermissionDenied("Maintenance notices go to customer contacts.")
    subscription, _ = MaintenanceSubscription.objects.update_or_create(
        user=user, defaults={"subscribed": subscribed, "changed_at": now}
    )
    return subscription

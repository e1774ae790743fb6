"""A ticket's SLA targets: when each is measured, paused, met or breached.

This is the code that measures ``TicketTarget`` rows (the periodic sweep in ``sweep.py`` only
claims warnings and breaches on them). It applies the SPEC's clock rules with
the SLA engine (``sla.services`` for policies and calendars, ``sla.deadlines`` for arithmetic):

- the initial response is met by the first public update of support and never pauses;
- after it, each public update by support is due within the ongoing response target (ORT) of
  the previous one, or at a next-update time agreed with the customer;
- while a ticket waits for the customer, ORT, resolution and delivery clocks pause: a paused
  target keeps the clock time it had left and gets it back when the ticket resumes;
- on a priority change, targets not yet met are measured again with the new priority from that
  moment; breaches already recorded stay;
- a target met after its deadline is breached (even if the periodic sweep has not seen it yet).

Callers pass ``now`` and run inside the service's transaction.
"""

from datetime import datetime

from django.db.models import Min

from sla import services as sla
from sla.deadlines import Clock, Target, add_clock_time, clock_time_between, due_at, warning_at

from .models import Ticket, TicketEvent, TicketTarget

Kind = TicketTarget.Kind
State = TicketTarget.State
PAUSABLE = (Kind.ONGOING_UPDATE, Kind.RESOLUTION, Kind.DELIVERY)


def _policy(ticket: Ticket):
    return ticket.organisation.sla_policy


def _calendar(ticket: Ticket):
    return sla.calendar_for(_policy(ticket).calendar_id)


def _rule(ticket: Ticket, kind: str, priority: str) -> Target | None:
    if kind == Kind.DELIVERY:
        if ticket.request_size != Ticket.RequestSize.MINOR:
            return None
        days = _policy(ticket).minor_request_delivery_days
        return Target(clock=Clock.BUSINESS, seconds=days * _calendar(ticket).day_seconds)
    if not priority:
        return None
    return sla.target_for(
        policy=_policy(ticket), priority=priority, kind=kind, product_defect=ticket.product_defect
    )


def _schedule(ticket: Ticket, target: TicketTarget, rule: Target, start: datetime) -> None:
    """Measure ``target`` with ``rule`` from ``start``."""
    calendar = _calendar(ticket)
    share = _policy(ticket).warning_share
    target.clock = rule.clock
    target.target_seconds = rule.seconds
    target.started_at = start
    target.due_at = due_at(calendar, rule, start)
    target.warn_at = warning_at(calendar, rule, start, share)
    target.warned_at = None


def _new_target(
    ticket: Ticket, kind: str, start: datetime, *, cycle: int = 1
) -> TicketTarget | None:
    rule = _rule(ticket, kind, ticket.priority)
    if rule is None:
        return None
    target = TicketTarget(ticket=ticket, kind=kind, cycle=cycle, priority=ticket.priority)
    _schedule(ticket, target, rule, start)
    return target


def _pause_target(ticket: Ticket, target: TicketTarget, now: datetime) -> None:
    if target.due_at is None or target.due_at <= now:
        # Already overdue: the breach stands and pausing does not hide it.
        return
    calendar = _calendar(ticket)
    target.remaining_seconds = clock_time_between(calendar, Clock(target.clock), now, target.due_at)
    target.paused_at = now
    target.due_at = None
    target.warn_at = None


def _event(ticket: Ticket, kind: str, now: datetime, **data) -> TicketEvent:
    return TicketEvent.objects.create(ticket=ticket, kind=kind, at=now, public=False, data=data)


def _meet(ticket: Ticket, target: TicketTarget, now: datetime) -> None:
    target.met_at = now
    if target.due_at is not None and now > target.due_at:
        if target.state != State.BREACHED:
            target.state = State.BREACHED
            target.breached_at = target.due_at
            _event(
                ticket,
                TicketEvent.Kind.SLA_BREACHED,
                now,
                target=str(target),
                due_at=target.due_at.isoformat(),
            )
    elif target.state == State.PENDING:
        target.state = State.MET
        _event(ticket, TicketEvent.Kind.SLA_MET, now, target=str(target))
    target.save()


def _outstanding(ticket: Ticket, *kinds: str) -> list[TicketTarget]:
    qs = ticket.targets.filter(met_at__isnull=True, state__in=[State.PENDING, State.BREACHED])
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return list(qs)


def start(ticket: Ticket, now: datetime) -> None:
    """Open the targets of a newly submitted ticket."""
    if ticket.kind == Ticket.Kind.SERVICE_REQUEST:
        kinds = [Kind.DELIVERY]
    else:
        kinds = [Kind.INITIAL_RESPONSE, Kind.RESOLUTION]
    targets = [t for kind in kinds if (t := _new_target(ticket, kind, now)) is not None]
    TicketTarget.objects.bulk_create(targets)
    refresh(ticket)


def record_support_update(
    ticket: Ticket,
    now: datetime,
    *,
    agreed_next_update_at: datetime | None = None,
    continues: bool = True,
) -> None:
    """A public update by support: meets the initial response and the current ORT cycle, and
    (unless the ticket is being resolved) starts the next cycle, paused if the ticket waits."""
    cycles = []
    for target in _outstanding(ticket, Kind.INITIAL_RESPONSE, Kind.ONGOING_UPDATE):
        _meet(ticket, target, now)
        cycles.append(target.cycle if target.kind == Kind.ONGOING_UPDATE else 0)
    if continues and ticket.kind == Ticket.Kind.INCIDENT:
        last = ticket.targets.filter(kind=Kind.ONGOING_UPDATE).order_by("-cycle").first()
        target = _new_target(
            ticket, Kind.ONGOING_UPDATE, now, cycle=(last.cycle + 1) if last else 1
        )
        if target is not None:
            if agreed_next_update_at is not None:
                # "Unless otherwise communicated": the agreed time replaces the ORT for this cycle.
                target.due_at = agreed_next_update_at
                calendar = _calendar(ticket)
                agreed = clock_time_between(
                    calendar, Clock(target.clock), now, agreed_next_update_at
                )
                target.target_seconds = agreed
                share = _policy(ticket).warning_share
                target.warn_at = add_clock_time(
                    calendar, Clock(target.clock), now, int(agreed * share)
                )
            if ticket.status == Ticket.Status.WAITING:
                _pause_target(ticket, target, now)
            target.save()
    refresh(ticket)


def agree_delivery(ticket: Ticket, now: datetime, delivery_at: datetime) -> None:
    """A planned service request gets the delivery date the specialist agreed; an earlier
    agreement is replaced (a breach already recorded stays)."""
    calendar = _calendar(ticket)
    seconds = clock_time_between(calendar, Clock.BUSINESS, now, delivery_at)
    target = ticket.targets.filter(kind=Kind.DELIVERY).order_by("-cycle").first()
    if target is None or not target.is_outstanding:
        cycle = target.cycle + 1 if target else 1
        target = TicketTarget(ticket=ticket, kind=Kind.DELIVERY, cycle=cycle, priority="")
    target.clock = Clock.BUSINESS
    target.target_seconds = seconds
    target.started_at = now
    target.due_at = delivery_at
    share = _policy(ticket).warning_share
    target.warn_at = add_clock_time(calendar, Clock.BUSINESS, now, int(seconds * share))
    target.warned_at = None
    if ticket.status == Ticket.Status.WAITING:
        _pause_target(ticket, target, now)
    target.save()
    refresh(ticket)


def meet_resolution(ticket: Ticket, now: datetime) -> None:
    """Resolution, workaround or action plan: meets the resolution or delivery target."""
    for target in _outstanding(ticket, Kind.RESOLUTION, Kind.DELIVERY):
        _meet(ticket, target, now)
    refresh(ticket)


def pause(ticket: Ticket, now: datetime) -> None:
    for target in _outstanding(ticket, *PAUSABLE):
        _pause_target(ticket, target, now)
        target.save()
    refresh(ticket)


def resume(ticket: Ticket, now: datetime) -> None:
    """Paused clocks run again with the time they had left, so resuming never makes a ticket
    overdue at once."""
    calendar = _calendar(ticket)
    share = _policy(ticket).warning_share
    for target in ticket.targets.filter(paused_at__isnull=False, met_at__isnull=True):
        clock = Clock(target.clock)
        target.paused_seconds += clock_time_between(calendar, clock, target.paused_at, now)
        remaining = target.remaining_seconds or 0
        target.due_at = add_clock_time(calendar, clock, now, remaining)
        warn_left = remaining - int(target.target_seconds * (1 - share))
        target.warn_at = add_clock_time(calendar, clock, now, max(warn_left, 0))
        target.remaining_seconds = None
        target.paused_at = None
        # A new deadline: the warning sent for the old one does not cover it.
        target.warned_at = None
        target.save()
    refresh(ticket)


def remeasure(ticket: Ticket, now: datetime, *, keep_start: bool = False) -> None:
    """Targets not yet met are measured again with the ticket's current rules; recorded
    breaches stay. After a priority change they are measured from ``now`` (SPEC); a confirmed
    product defect (``keep_start``) changes the length of the running update cycle, which still
    counts from the previous update."""
    existing = {t.kind: t for t in _outstanding(ticket)}
    for kind in (Kind.INITIAL_RESPONSE, Kind.ONGOING_UPDATE, Kind.RESOLUTION):
        target = existing.get(kind)
        if target is None:
            # A new priority may bring a target the old one did not have (e.g. P1 resolution),
            # but never reopens one that was already met.
            if (
                kind == Kind.RESOLUTION
                and ticket.is_open
                and not ticket.targets.filter(kind=kind).exists()
            ):
                new = _new_target(ticket, kind, now)
                if new is not None:
                    if ticket.status == Ticket.Status.WAITING:
                        _pause_target(ticket, new, now)
                    new.save()
            continue
        rule = _rule(ticket, kind, ticket.priority)
        if rule is None:
            if target.state == State.PENDING:
                target.state = State.CANCELLED
                target.save()
            continue
        target.priority = ticket.priority
        paused_at = target.paused_at
        start = target.started_at if keep_start else now
        _schedule(ticket, target, rule, start)
        if paused_at is not None:
            used = 0
            if keep_start:
                used = clock_time_between(_calendar(ticket), Clock(rule.clock), start, paused_at)
                used -= target.paused_seconds
            target.due_at = target.warn_at = None
            target.remaining_seconds = max(rule.seconds - max(used, 0), 0)
            target.paused_at = paused_at if keep_start else now
        target.save()
    refresh(ticket)


def restart_updates(ticket: Ticket, now: datetime) -> None:
    """A reopened ticket: support owes the customer an update within the ORT again."""
    last = ticket.targets.filter(kind=Kind.ONGOING_UPDATE).order_by("-cycle").first()
    target = _new_target(ticket, Kind.ONGOING_UPDATE, now, cycle=(last.cycle + 1) if last else 1)
    if target is not None:
        target.save()
    refresh(ticket)


def cancel_pending(ticket: Ticket, now: datetime) -> None:
    """A withdrawn or closed ticket owes nothing more; breaches already recorded stay."""
    ticket.targets.filter(state=State.PENDING, met_at__isnull=True).update(
        state=State.CANCELLED, due_at=None, warn_at=None
    )
    refresh(ticket)


def refresh(ticket: Ticket) -> None:
    """Copy the earliest outstanding deadline and the breach flag onto the ticket row."""
    outstanding = ticket.targets.filter(
        met_at__isnull=True, state__in=[State.PENDING, State.BREACHED]
    )
    ticket.next_due_at = outstanding.aggregate(m=Min("due_at"))["m"]
    ticket.sla_breached = ticket.targets.filter(state=State.BREACHED).exists()
    ticket.save(update_fields=["next_due_at", "sla_breached"])

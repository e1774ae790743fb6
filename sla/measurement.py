"""The SLA clock of one target: the one model of SPEC "SLA clock semantics".

A ``Measurement`` is one target (an initial response, one ongoing-update cycle, a resolution, a
delivery) measured under one rule. It is made of plain values; the tickets app stores each one
as a ``TicketTarget`` row and changes it only through the functions here, so the deadline and
warning instants on the row are caches of ``due_at`` and ``warn_at``. Nothing else in the
portal does deadline arithmetic.

The semantics:

- The clock counts ``clock`` time (business seconds on the business clock, real seconds on
  24/7) from ``running_since``; ``banked_seconds`` is the time counted before that. The deadline
  is the instant the target's last second is used up: ``running_since`` plus what is left. The
  clock may start later than the event (``count_from_next_day``). Instants count to the whole
  second, as the business clock does.
- Pausable kinds (ongoing updates, resolution, delivery) stop while the ticket waits for the
  customer: pausing banks the time used so far; resuming counts on from the resume instant with
  the time that was left, so coming out of a pause never makes a target overdue at once. The
  initial response never pauses. An overdue target does not pause: its breach stands.
- A target is met by an event at or before its deadline and breached strictly after it. A
  breach is final: meeting the target later records when it was met, pausing keeps the breach,
  a re-measure closes the row as breached.
- Re-measuring (a priority change, a confirmed product defect, an agreed date) closes the
  current measurement (``remeasure``): its state at that instant, the clock time it used, and a
  breach if its deadline had passed, whether or not anyone noticed in time. A new measurement
  opens under the new rule: after a priority change from that moment with the whole new target
  (SPEC); after a product-defect confirmation keeping the time the cycle already used (it still
  counts from the previous update, with its pauses left out).
- An agreed next update or delivery date is a real-time target that ends at the agreed instant.
- The warning falls once ``warn_after_seconds`` of the target are used (``deadlines.
  warning_seconds``: the policy's share, rounded to the second). Resuming re-arms it, so the
  new deadline is warned once.
- ``used_seconds`` is the clock time the target used, recorded when it is met or closed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from .deadlines import (
    BusinessCalendar,
    Clock,
    Target,
    TargetKind,
    add_clock_time,
    clock_time_between,
    measuring_start,
    warning_seconds,
)

__all__ = [
    "PAUSABLE_KINDS",
    "Basis",
    "Measurement",
    "State",
    "agreed",
    "cancel",
    "due_at",
    "is_overdue",
    "meet",
    "open_measurement",
    "pause",
    "pauses_while_waiting",
    "record_breach",
    "remaining",
    "remeasure",
    "replace_with_agreed",
    "resume",
    "used_at",
    "warn_at",
]

PAUSABLE_KINDS = frozenset({TargetKind.ONGOING_UPDATE, TargetKind.RESOLUTION, TargetKind.DELIVERY})


def pauses_while_waiting(kind: TargetKind | str) -> bool:
    """Whether the clock of ``kind`` stops while the ticket waits for the customer."""
    return TargetKind(kind) in PAUSABLE_KINDS


class State(StrEnum):
    PENDING = "pending"
    MET = "met"
    BREACHED = "breached"
    REPLACED = "replaced"
    """Closed by a re-measure before its deadline passed; its successor carries on."""
    CANCELLED = "cancelled"
    """The ticket no longer owes it (closed or withdrawn before the event)."""


class Basis(StrEnum):
    """Which rule a measurement follows."""

    POLICY = "policy"
    PRODUCT_DEFECT = "product_defect"
    AGREED = "agreed"


@dataclass(frozen=True)
class Measurement:
    kind: TargetKind
    clock: Clock
    target_seconds: int
    warn_after_seconds: int
    started_at: datetime
    running_since: datetime
    banked_seconds: int = 0
    paused_at: datetime | None = None
    paused_seconds: int = 0
    """Clock time the target spent paused (reports show how pauses were counted)."""
    state: State = State.PENDING
    met_at: datetime | None = None
    breached_at: datetime | None = None
    ended_at: datetime | None = None
    used_seconds: int | None = None
    warned_at: datetime | None = None
    basis: Basis = Basis.POLICY

    @property
    def is_outstanding(self) -> bool:
        """Still waiting for its event (a breached target stays outstanding until it happens
        or the row is closed)."""
        return (
            self.state in (State.PENDING, State.BREACHED)
            and self.met_at is None
            and self.ended_at is None
        )

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None and self.is_outstanding


def _second(at: datetime) -> datetime:
    # Compare and store in UTC: Python compares two datetimes of one zone on the wall clock,
    # which is wrong in the hour that repeats when DST ends. Whole seconds, as the business
    # clock counts them, so both clocks agree on what "at the deadline" means.
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"Instants must be aware datetimes, got naive {at.isoformat()}")
    return at.astimezone(UTC).replace(microsecond=0)


# --- opening ----------------------------------------------------------------------------------


def open_measurement(
    calendar: BusinessCalendar,
    kind: TargetKind | str,
    target: Target,
    at: datetime,
    *,
    share: float,
    banked_seconds: int = 0,
    paused: bool = False,
    basis: Basis = Basis.POLICY,
) -> Measurement:
    """Start measuring ``target`` for an event at ``at``.

    ``banked_seconds`` is clock time the target already used (a product-defect re-measure
    keeps the cycle's time); such a measurement counts on from ``at`` itself. ``paused`` opens
    it paused (the ticket is waiting for the customer) if its kind pauses at all.
    """
    kind = TargetKind(kind)
    at = _second(at)
    running = at if banked_seconds else _second(measuring_start(calendar, target, at))
    return Measurement(
        kind=kind,
        clock=target.clock,
        target_seconds=target.seconds,
        warn_after_seconds=warning_seconds(target, share),
        started_at=at,
        running_since=running,
        banked_seconds=banked_seconds,
        paused_at=at if paused and kind in PAUSABLE_KINDS else None,
        basis=basis,
    )


def agreed(
    calendar: BusinessCalendar,
    kind: TargetKind | str,
    at: datetime,
    until: datetime,
    *,
    share: float,
    paused: bool = False,
) -> Measurement:
    """A target agreed with the customer: due exactly at ``until`` (real time from ``at``)."""
    at, until = _second(at), _second(until)
    if until <= at:
        raise ValueError("An agreed time must lie after the moment it is agreed.")
    target = Target(clock=Clock.ALWAYS, seconds=int((until - at).total_seconds()))
    return open_measurement(
        calendar, kind, target, at, share=share, paused=paused, basis=Basis.AGREED
    )


# --- reading ----------------------------------------------------------------------------------


def due_at(calendar: BusinessCalendar, m: Measurement) -> datetime | None:
    """The deadline: the instant the last second of the target is used up. ``None`` while
    paused (it depends on when the pause ends). A breached target keeps the deadline it missed."""
    if m.breached_at is not None:
        return m.breached_at
    if m.paused_at is not None:
        return None
    left = max(m.target_seconds - m.banked_seconds, 0)
    return add_clock_time(calendar, m.clock, m.running_since, left)


def warn_at(calendar: BusinessCalendar, m: Measurement) -> datetime | None:
    """When the warning falls: ``warn_after_seconds`` used. ``None`` unless pending and running."""
    if m.state != State.PENDING or not m.is_outstanding or m.paused_at is not None:
        return None
    left = m.warn_after_seconds - m.banked_seconds
    if left <= 0:
        # The share was used before a pause or a re-measure: warn as soon as the clock runs.
        return m.running_since
    return add_clock_time(calendar, m.clock, m.running_since, left)


def used_at(calendar: BusinessCalendar, m: Measurement, at: datetime) -> int:
    """Clock seconds the target has used by ``at`` (fixed once it is met or closed)."""
    if m.used_seconds is not None and not m.is_outstanding:
        return m.used_seconds
    if m.paused_at is not None:
        return m.banked_seconds
    return m.banked_seconds + clock_time_between(calendar, m.clock, m.running_since, _second(at))


def is_overdue(calendar: BusinessCalendar, m: Measurement, at: datetime) -> bool:
    """Outstanding with its deadline strictly before ``at``."""
    if not m.is_outstanding:
        return False
    due = due_at(calendar, m)
    return due is not None and due < _second(at)


# --- changing ---------------------------------------------------------------------------------


def record_breach(calendar: BusinessCalendar, m: Measurement, at: datetime) -> Measurement:
    """Record the breach of a pending target whose deadline passed before ``at``."""
    if m.state != State.PENDING or not is_overdue(calendar, m, at):
        return m
    return replace(m, state=State.BREACHED, breached_at=due_at(calendar, m))


def pause(calendar: BusinessCalendar, m: Measurement, at: datetime) -> Measurement:
    """The ticket starts waiting for the customer at ``at``."""
    at = _second(at)
    if m.kind not in PAUSABLE_KINDS or not m.is_outstanding or m.paused_at is not None:
        return m
    m = record_breach(calendar, m, at)
    if m.state == State.BREACHED:
        return m  # overdue: the clock keeps running and the breach stands
    return replace(m, banked_seconds=used_at(calendar, m, at), paused_at=at)


def resume(calendar: BusinessCalendar, m: Measurement, at: datetime) -> Measurement:
    """The ticket is worked again from ``at``: the clock counts on with the time it had left."""
    if m.paused_at is None or not m.is_outstanding:
        return m
    at = max(_second(at), m.paused_at)
    counted_from = max(m.paused_at, m.running_since)
    inside = clock_time_between(calendar, m.clock, counted_from, at)
    return replace(
        m,
        paused_at=None,
        # A clock that had not started yet (counting from the next day) still starts then.
        running_since=max(at, m.running_since),
        paused_seconds=m.paused_seconds + inside,
        warned_at=None,
    )


def meet(calendar: BusinessCalendar, m: Measurement, at: datetime) -> Measurement:
    """The event the target waits for happened at ``at``."""
    at = _second(at)
    if not m.is_outstanding:
        return m
    m = resume(calendar, m, at)
    m = record_breach(calendar, m, at)
    used = used_at(calendar, m, at)
    state = State.BREACHED if m.state == State.BREACHED else State.MET
    return replace(m, state=state, met_at=at, used_seconds=used)


def _close(calendar: BusinessCalendar, m: Measurement, at: datetime, state: State) -> Measurement:
    at = _second(at)
    if not m.is_outstanding:
        return m
    m = record_breach(calendar, m, at)
    used = used_at(calendar, m, at)
    if m.paused_at is not None:
        inside = clock_time_between(calendar, m.clock, max(m.paused_at, m.running_since), at)
        m = replace(m, paused_seconds=m.paused_seconds + inside)
    final = State.BREACHED if m.state == State.BREACHED else state
    return replace(m, state=final, ended_at=at, used_seconds=used)


def cancel(calendar: BusinessCalendar, m: Measurement, at: datetime) -> Measurement:
    """The ticket owes the target no more (closed or withdrawn). A breach stays a breach."""
    return _close(calendar, m, at, State.CANCELLED)


def remeasure(
    calendar: BusinessCalendar,
    m: Measurement,
    at: datetime,
    target: Target | None,
    *,
    share: float,
    keep_used: bool = False,
    basis: Basis = Basis.POLICY,
    paused: bool | None = None,
) -> tuple[Measurement, Measurement | None]:
    """Close ``m`` at ``at`` and open its successor under ``target`` (``None``: the new rule
    has no such target). ``keep_used`` carries the clock time ``m`` used over (a confirmed
    product defect changes the length of the running cycle, not its start); otherwise the new
    target counts in full from ``at`` (a priority change). ``paused`` says whether the ticket
    waits for the customer (by default: whether ``m`` was paused); a successor of an overdue
    target, which kept running, pauses like any fresh target."""
    if not m.is_outstanding:
        raise ValueError("Only an outstanding target can be measured again.")
    closed = _close(calendar, m, at, State.REPLACED)
    if target is None:
        return closed, None
    successor = open_measurement(
        calendar,
        m.kind,
        target,
        at,
        share=share,
        banked_seconds=(closed.used_seconds or 0) if keep_used else 0,
        paused=m.paused_at is not None if paused is None else paused,
        basis=basis,
    )
    return closed, successor


def replace_with_agreed(
    calendar: BusinessCalendar,
    m: Measurement,
    at: datetime,
    until: datetime,
    *,
    share: float,
    paused: bool | None = None,
) -> tuple[Measurement, Measurement]:
    """Close ``m`` and measure its successor to an instant agreed with the customer
    (``paused`` as in ``remeasure``)."""
    if not m.is_outstanding:
        raise ValueError("Only an outstanding target can be measured again.")
    closed = _close(calendar, m, at, State.REPLACED)
    if paused is None:
        paused = m.paused_at is not None
    successor = agreed(calendar, m.kind, at, until, share=share, paused=paused)
    return closed, successor


def remaining(calendar: BusinessCalendar, m: Measurement, at: datetime) -> int | None:
    """Clock seconds left before the deadline at ``at`` (0 when overdue; ``None`` once the
    target no longer runs)."""
    if not m.is_outstanding:
        return None
    return max(m.target_seconds - used_at(calendar, m, at), 0)

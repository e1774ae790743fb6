"""One SLA target followed through a ticket's life: pauses, reclassification, met or breached.

Pure functions over an immutable ``Measurement`` (no ORM), applying SPEC "SLA clock semantics":

- ongoing-update and resolution clocks pause while the ticket waits for the customer; the
  initial-response clock never pauses;
- a pause moves the deadline by the clock's own time inside it, so coming out of a pause never
  makes a target overdue at once;
- on a priority change, a target not yet met is measured again with the new target from the
  moment of the change; clock time already used and a breach already recorded stay on record;
- a target is met by an event at or before its deadline, breached strictly after it.

Callers store what they need of a ``Measurement`` (typically ``deadline``) on their own rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from .deadlines import (
    BusinessCalendar,
    Target,
    TargetKind,
    clock_time_between,
    due_at,
)

PAUSABLE_KINDS = frozenset({TargetKind.ONGOING_UPDATE, TargetKind.RESOLUTION})


def pauses_while_waiting(kind: TargetKind | str) -> bool:
    """Whether the clock of ``kind`` stops while the ticket waits for the customer."""
    return TargetKind(kind) in PAUSABLE_KINDS


class State(StrEnum):
    PENDING = "pending"
    MET = "met"
    BREACHED = "breached"


@dataclass(frozen=True)
class Measurement:
    kind: TargetKind
    target: Target | None
    started_at: datetime
    pauses: tuple[tuple[datetime, datetime], ...] = ()
    paused_since: datetime | None = None
    met_at: datetime | None = None
    breached_at: datetime | None = None
    used_before: int = 0
    """Clock seconds used under earlier priorities (kept for reports)."""

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None


def _utc(at: datetime) -> datetime:
    # Python compares two datetimes of one zone on the wall clock, which is wrong in the hour
    # that repeats when DST ends: keep every instant in UTC.
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"Instants must be aware datetimes, got naive {at.isoformat()}")
    return at.astimezone(UTC)


def start_measuring(kind: TargetKind | str, target: Target | None, at: datetime) -> Measurement:
    return Measurement(kind=TargetKind(kind), target=target, started_at=_utc(at))


def deadline(calendar: BusinessCalendar, m: Measurement) -> datetime | None:
    """The current deadline; ``None`` without a target or while paused (it depends on when
    the pause ends)."""
    if m.target is None or m.is_paused:
        return None
    return due_at(calendar, m.target, m.started_at, m.pauses)


def _deadline_ignoring_pause(calendar: BusinessCalendar, m: Measurement) -> datetime | None:
    if m.target is None:
        return None
    return due_at(calendar, m.target, m.started_at, m.pauses)


def _with_breach_recorded(calendar: BusinessCalendar, m: Measurement, at: datetime) -> Measurement:
    if m.breached_at is not None or m.met_at is not None:
        return m
    due = _deadline_ignoring_pause(calendar, m)
    if due is not None and due < at:
        return replace(m, breached_at=due)
    return m


def pause(calendar: BusinessCalendar, m: Measurement, at: datetime) -> Measurement:
    """The ticket starts waiting for the customer at ``at``. An overdue target keeps its breach."""
    at = _utc(at)
    if m.kind not in PAUSABLE_KINDS or m.is_paused or m.met_at is not None:
        return m
    m = _with_breach_recorded(calendar, m, at)
    return replace(m, paused_since=max(at, m.started_at))


def resume(calendar: BusinessCalendar, m: Measurement, at: datetime) -> Measurement:
    """The customer answered at ``at``: the clock runs again with the time it had left."""
    at = _utc(at)
    if not m.is_paused:
        return m
    until = max(at, m.paused_since)
    return replace(m, pauses=(*m.pauses, (m.paused_since, until)), paused_since=None)


def remaining(calendar: BusinessCalendar, m: Measurement, now: datetime) -> int | None:
    """Clock seconds left before the deadline at ``now`` (0 when overdue)."""
    now = _utc(now)
    if m.target is None:
        return None
    if m.is_paused:
        now = m.paused_since
    due = _deadline_ignoring_pause(calendar, replace(m, paused_since=None))
    return clock_time_between(calendar, m.target.clock, now, due)


def meet(calendar: BusinessCalendar, m: Measurement, at: datetime) -> Measurement:
    """The event the target waits for happened at ``at``."""
    at = _utc(at)
    if m.met_at is not None:
        return m
    if m.is_paused:
        m = resume(calendar, m, at)
    m = _with_breach_recorded(calendar, m, at)
    return replace(m, met_at=at)


def reclassify(
    calendar: BusinessCalendar, m: Measurement, target: Target | None, at: datetime
) -> Measurement:
    """Measure a target not yet met again with ``target`` from ``at`` (a priority change)."""
    at = _utc(at)
    if m.met_at is not None:
        return m
    m = _with_breach_recorded(calendar, m, at)
    used = 0
    if m.target is not None:
        clock_end = m.paused_since or at
        spent = clock_time_between(calendar, m.target.clock, m.started_at, clock_end)
        paused = sum(
            clock_time_between(calendar, m.target.clock, a, b)
            for a, b in m.pauses
            if b <= clock_end
        )
        used = max(spent - paused, 0)
    return Measurement(
        kind=m.kind,
        target=target,
        started_at=at,
        paused_since=at if m.is_paused else None,
        breached_at=m.breached_at,
        used_before=m.used_before + used,
    )


def state(
    calendar: BusinessCalendar, m: Measurement, now: datetime
) -> tuple[State, datetime | None]:
    """The target's state at ``now`` and when it was met or breached."""
    now = _utc(now)
    m = _with_breach_recorded(calendar, m, now)
    if m.breached_at is not None:
        return State.BREACHED, m.breached_at
    if m.met_at is not None:
        return State.MET, m.met_at
    return State.PENDING, None

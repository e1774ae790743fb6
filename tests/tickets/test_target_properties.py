"""Random ticket histories through the services: the stored targets always equal an independent
reference of SPEC "SLA clock semantics", a breach never disappears, and coming out of a pause
never makes a target overdue at once.

The reference keeps each target's pause intervals and asks ``sla.deadlines.due_at`` (which
subtracts the clock time inside merged pauses) for its deadline: a different computation from
``sla.measurement``'s banked-time checkpoints, so agreement means something. Instants start on
days with weekends, public holidays and DST changes close by.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla import services as sla
from sla.deadlines import Clock, Target, clock_time_between, due_at
from tickets import services
from tickets.models import Ticket
from tickets.sweep import sla_sweep

from .conftest import local

STARTS = [
    local(2026, 3, 27, 15, 0),  # the Friday before DST starts
    local(2026, 6, 18, 14, 0),  # the day before Midsummer Eve
    local(2026, 10, 23, 16, 0),  # the Friday before DST ends
    local(2026, 12, 4, 11, 0),  # the Friday before Independence Day
    local(2026, 12, 23, 9, 30),  # Christmas
    local(2026, 11, 21, 10, 0),  # a Saturday
]
PRIORITIES = ["P1", "P2", "P3", "P4"]
PAUSABLE = {"ongoing_update", "resolution", "delivery"}


@dataclass
class Ref:
    kind: str
    cycle: int
    revision: int
    clock: Clock
    seconds: int
    start: datetime
    banked: int = 0
    pauses: list = field(default_factory=list)
    paused_since: datetime | None = None
    state: str = "pending"
    met_at: datetime | None = None
    breached_at: datetime | None = None
    ended_at: datetime | None = None
    agreed: bool = False

    @property
    def outstanding(self) -> bool:
        return self.state in ("pending", "breached") and not self.met_at and not self.ended_at

    def due(self, calendar) -> datetime | None:
        if self.breached_at is not None:
            return self.breached_at
        if self.paused_since is not None:
            return None
        rest = Target(self.clock, max(self.seconds - self.banked, 0))
        return due_at(calendar, rest, self.start, self.pauses)

    def used(self, calendar, at: datetime) -> int:
        end = self.paused_since or at
        spent = clock_time_between(calendar, self.clock, self.start, end)
        paused = sum(clock_time_between(calendar, self.clock, a, b) for a, b in self.pauses)
        return self.banked + spent - paused


class Reference:
    """SPEC "SLA clock semantics" restated over pause intervals, for one incident."""

    def __init__(self, ticket: Ticket, at: datetime) -> None:
        self.policy = ticket.organisation.sla_policy
        self.calendar = sla.calendar_for(self.policy.calendar_id)
        self.priority = ticket.priority
        self.defect = False
        self.waiting = False
        self.rows: list[Ref] = []
        for kind in ("initial_response", "resolution"):
            self._open(kind, at)

    def _rule(self, kind: str) -> Target | None:
        return sla.target_for(
            policy=self.policy, priority=self.priority, kind=kind, product_defect=self.defect
        )

    def _open(self, kind, at, *, cycle=1, revision=1, banked=0, rule=None, agreed=False):
        rule = rule or self._rule(kind)
        if rule is None:
            return
        paused = at if self.waiting and kind in PAUSABLE else None
        self.rows.append(
            Ref(
                kind,
                cycle,
                revision,
                rule.clock,
                rule.seconds,
                at,
                banked,
                [],
                paused,
                agreed=agreed,
            )
        )

    def outstanding(self, *kinds):
        return [r for r in self.rows if r.outstanding and (not kinds or r.kind in kinds)]

    def _breach_if_overdue(self, row: Ref, at: datetime) -> None:
        due = row.due(self.calendar)
        if row.state == "pending" and due is not None and due < at:
            row.state, row.breached_at = "breached", due

    def _unpause(self, row: Ref, at: datetime) -> None:
        if row.paused_since is not None:
            row.pauses.append((row.paused_since, max(at, row.paused_since)))
            row.paused_since = None

    def _meet(self, row: Ref, at: datetime) -> None:
        self._unpause(row, at)
        self._breach_if_overdue(row, at)
        row.met_at = at
        if row.state == "pending":
            row.state = "met"

    def _close(self, row: Ref, at: datetime) -> int:
        used = row.used(self.calendar, at)
        self._breach_if_overdue(row, at)
        self._unpause(row, at)
        row.ended_at = at
        if row.state == "pending":
            row.state = "replaced"
        return used

    def _next_cycle(self) -> int:
        return max((r.cycle for r in self.rows if r.kind == "ongoing_update"), default=0) + 1

    def update(self, at, agreed=None, continues=True):
        for row in self.outstanding("initial_response", "ongoing_update"):
            self._meet(row, at)
        if not continues:
            return
        if agreed is not None:
            rule = Target(Clock.ALWAYS, int((agreed - at).total_seconds()))
            self._open("ongoing_update", at, cycle=self._next_cycle(), rule=rule, agreed=True)
        else:
            self._open("ongoing_update", at, cycle=self._next_cycle())

    def wait(self, at):
        self.waiting = True
        self.update(at)
        for row in self.outstanding():
            if row.kind in PAUSABLE and row.paused_since is None:
                self._breach_if_overdue(row, at)
                if row.state == "pending":
                    row.paused_since = at

    def resume(self, at):
        self.waiting = False
        for row in self.outstanding():
            self._unpause(row, at)

    def reclassify(self, at, priority):
        self.priority = priority
        for row in self.outstanding():
            if not row.agreed:
                self._close(row, at)
                self._open(row.kind, at, cycle=row.cycle, revision=row.revision + 1)
        if not any(r.kind == "resolution" for r in self.rows):
            self._open("resolution", at)

    def confirm_defect(self, at):
        self.defect = True
        for row in self.outstanding("ongoing_update"):
            if not row.agreed:
                used = self._close(row, at)
                self._open(row.kind, at, cycle=row.cycle, revision=row.revision + 1, banked=used)

    def sweep(self, at):
        for row in self.outstanding():
            self._breach_if_overdue(row, at)

    def resolve(self, at):
        self.update(at, continues=False)
        for row in self.outstanding("resolution"):
            self._meet(row, at)


def _utc(value):
    return value.astimezone(UTC) if value is not None else None


def _stored(ticket: Ticket) -> dict:
    return {
        (r.kind, r.cycle, r.revision): (
            r.state,
            _utc(r.due_at),
            _utc(r.breached_at),
            _utc(r.met_at),
            _utc(r.ended_at),
        )
        for r in ticket.targets.all()
    }


def _expected(ref: Reference) -> dict:
    return {
        (r.kind, r.cycle, r.revision): (
            r.state,
            _utc(r.due(ref.calendar)) if r.outstanding or r.breached_at else None,
            _utc(r.breached_at),
            _utc(r.met_at),
            _utc(r.ended_at),
        )
        for r in ref.rows
    }


def _comparable(stored: dict, ref: Reference) -> dict:
    """Decided rows keep the deadline they had; the reference only knows it for outstanding
    and breached ones, so closed rows are compared without it."""
    out = {}
    for key, (state, due, breached, met, ended) in stored.items():
        row = next(r for r in ref.rows if (r.kind, r.cycle, r.revision) == key)
        keep = row.outstanding or row.breached_at is not None
        out[key] = (state, due if keep else None, breached, met, ended)
    return out


operation = st.one_of(
    st.tuples(st.just("reply"), st.none()),
    st.tuples(st.just("agreed"), st.integers(min_value=3600, max_value=5 * 86400)),
    st.tuples(st.just("wait"), st.none()),
    st.tuples(st.just("customer_reply"), st.none()),
    st.tuples(st.just("reclassify"), st.sampled_from(PRIORITIES)),
    st.tuples(st.just("defect"), st.none()),
    st.tuples(st.just("sweep"), st.none()),
)
gap = st.integers(min_value=60, max_value=4 * 86400)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.sampled_from(STARTS),
    priority=st.sampled_from(PRIORITIES),
    steps=st.lists(st.tuples(gap, operation), min_size=1, max_size=9),
    resolve_after=st.one_of(st.none(), gap),
)
def test_stored_targets_follow_the_clock_semantics_through_any_history(
    org_a, manager, start, priority, steps, resolve_after
):
    # UTC: adding a timedelta to a Helsinki-aware datetime adds wall-clock time across DST.
    at = start.astimezone(UTC)
    ticket = services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="incident",
        priority=priority,
        subject="Random history",
        description="Generated.",
        now=at,
    )
    for _ in range(3):  # at L4, so a product defect can be confirmed
        ticket = Ticket.objects.get(pk=ticket.pk)
        services.ticket_escalate(
            ticket=ticket, actor=manager, reason="Up", version=ticket.version, now=at
        )
    ref = Reference(ticket, at)
    breached_so_far: set = set()

    def fresh() -> Ticket:
        return Ticket.objects.select_related("organisation__sla_policy").get(pk=ticket.pk)

    for seconds, (name, arg) in steps:
        at = at + timedelta(seconds=seconds)
        current = fresh()
        if name == "reply" and current.status in ("new", "in_progress"):
            services.ticket_reply(ticket=current, author=manager, body="Update.", now=at)
            ref.update(at)
        elif name == "agreed" and current.status in ("new", "in_progress"):
            agreed = at + timedelta(seconds=arg)
            services.ticket_reply(
                ticket=current,
                author=manager,
                body="Next update agreed.",
                next_update_at=agreed,
                now=at,
            )
            ref.update(at, agreed=agreed)
        elif name == "wait" and current.status in ("new", "in_progress"):
            services.ticket_wait_for_customer(
                ticket=current, actor=manager, message="Logs?", version=current.version, now=at
            )
            ref.wait(at)
        elif name == "customer_reply" and current.status == "waiting":
            services.ticket_customer_reply(
                ticket=current, author=org_a.contact, body="Here.", now=at
            )
            ref.resume(at)
            # Coming out of a pause never makes a target overdue at once.
            for row in fresh().targets.all():
                if row.is_outstanding and row.state == "pending" and row.due_at is not None:
                    assert row.due_at >= at
        elif name == "reclassify" and arg != current.priority:
            services.ticket_reclassify(
                ticket=current,
                actor=manager,
                priority=arg,
                reason="Impact changed",
                version=current.version,
                now=at,
            )
            ref.reclassify(at, arg)
        elif name == "defect" and not current.product_defect:
            services.ticket_confirm_defect(
                ticket=current, actor=manager, reason="In the code", version=current.version, now=at
            )
            ref.confirm_defect(at)
        elif name == "sweep":
            sla_sweep(now=at)
            ref.sweep(at)
        else:
            continue
        stored = _stored(fresh())
        assert _comparable(stored, ref) == _expected(ref)
        breached_now = {key for key, row in stored.items() if row[2] is not None}
        assert breached_so_far <= breached_now, "a recorded breach disappeared"
        breached_so_far = breached_now
        assert fresh().sla_breached == bool(breached_now)

    if resolve_after is not None and fresh().status in ("new", "in_progress", "waiting"):
        at = at + timedelta(seconds=resolve_after)
        current = fresh()
        services.ticket_resolve(
            ticket=current,
            actor=manager,
            resolution_type="workaround",
            summary="Worked around.",
            version=current.version,
            now=at,
        )
        ref.resolve(at)
        stored = _stored(fresh())
        assert _comparable(stored, ref) == _expected(ref)
        assert breached_so_far <= {key for key, row in stored.items() if row[2] is not None}

"""A ticket's SLA targets: which ones it owes, kept through ``sla.measurement``.

This module decides *which* targets a ticket has (SPEC "SLA clock semantics"):

- an incident owes an initial response and, where its priority has one, a resolution; a
  service request owes its delivery (minor requests by the policy, planned ones once a date is
  agreed);
- the initial response is met by the first public update of support; after it, each public
  update meets the current update cycle and opens the next one (measured to the ORT, or to a
  next-update time agreed with the customer);
- a priority change re-measures every outstanding target from that moment; a confirmed product
  defect re-measures the running update cycle keeping the time it used; a reopened ticket owes a
  new update; a closed or withdrawn one owes nothing more.

*How* a target's clock behaves (pauses, breaches, re-measures, warnings, clock time used) is
``sla.measurement``'s alone: every change here loads a row into a ``Measurement``, applies one of
its functions and stores the result. Services use a ``TargetBook`` inside their transaction
after locking the ticket, and pass ``now``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Q, Subquery

from sla import measurement as clock
from sla import services as sla
from sla.deadlines import BusinessCalendar, Clock, Target, TargetKind

from . import publication
from .models import Ticket, TicketEvent, TicketTarget

Kind = TicketTarget.Kind
State = TicketTarget.State
OUTSTANDING = Q(
    state__in=[State.PENDING, State.BREACHED], met_at__isnull=True, ended_at__isnull=True
)


# --- one ticket's targets ---------------------------------------------------------------------


class TargetBook:
    """The target rows of one ticket, changed in memory and written back at once.

    Services open a book with ``TargetBook.of(ticket)`` (one query), call the methods below for
    what happened, and ``save()`` inside their transaction: changed rows are written, the
    timeline events of met and breached targets added, and the ticket's ``next_due_at`` and
    ``sla_breached`` copied from the book. ``seed_load`` fills books of unsaved tickets the same
    way and bulk-inserts ``rows`` and ``events``.
    """

    def __init__(
        self,
        ticket: Ticket,
        rows: list[TicketTarget],
        *,
        calendar: BusinessCalendar | None = None,
        share: float | None = None,
    ) -> None:
        policy = ticket.organisation.sla_policy
        self.ticket = ticket
        self.policy = policy
        self.calendar = calendar or sla.calendar_for(policy.calendar_id)
        self.share = policy.warning_share if share is None else share
        self.rows = rows
        self.events: list[TicketEvent] = []
        self._dirty: list[TicketTarget] = []

    @classmethod
    def of(cls, ticket: Ticket) -> TargetBook:
        """The book of a saved ticket (whose organisation's policy is loaded or loadable)."""
        return cls(ticket, list(ticket.targets.order_by("kind", "cycle", "revision")))

    # --- rules ---

    def rule(self, kind: str) -> Target | None:
        """The target the ticket's priority, defect flag and request size give ``kind`` now."""
        ticket = self.ticket
        if kind == Kind.DELIVERY:
            if ticket.kind != Ticket.Kind.SERVICE_REQUEST:
                return None
            if ticket.request_size != Ticket.RequestSize.MINOR:
                return None  # planned requests get the delivery date support agrees
            return sla.target_for(policy=self.policy, priority="", kind=TargetKind.DELIVERY)
        if not ticket.priority:
            return None
        return sla.target_for(
            policy=self.policy,
            priority=ticket.priority,
            kind=kind,
            product_defect=ticket.product_defect,
        )

    def basis(self, kind: str) -> clock.Basis:
        if kind == Kind.ONGOING_UPDATE and self.ticket.product_defect:
            return clock.Basis.PRODUCT_DEFECT
        return clock.Basis.POLICY

    # --- rows ---

    def outstanding(self, *kinds: str) -> list[TicketTarget]:
        return [r for r in self.rows if r.is_outstanding and (not kinds or r.kind in kinds)]

    def _next_cycle(self, kind: str) -> int:
        return max((r.cycle for r in self.rows if r.kind == kind), default=0) + 1

    def _store(self, row: TicketTarget, m: clock.Measurement) -> None:
        # The outcome is decided when a pending target is met or missed: who held the ticket
        # then is what the reports' drill-down by level and engineer counts.
        if row.state == State.PENDING and m.state in (clock.State.MET, clock.State.BREACHED):
            row.held_level = self.ticket.level
            row.held_by_id = self.ticket.assignee_id
        row.kind = m.kind.value
        row.clock = m.clock.value
        row.target_seconds = m.target_seconds
        row.warn_after_seconds = m.warn_after_seconds
        row.started_at = m.started_at
        row.running_since = m.running_since
        row.banked_seconds = m.banked_seconds
        row.paused_at = m.paused_at
        row.paused_seconds = m.paused_seconds
        row.state = m.state.value
        row.met_at = m.met_at
        row.breached_at = m.breached_at
        row.ended_at = m.ended_at
        row.used_seconds = m.used_seconds
        row.warned_at = m.warned_at
        row.basis = m.basis.value
        row.due_at = clock.due_at(self.calendar, m)
        row.warn_at = clock.warn_at(self.calendar, m)
        if row not in self._dirty:
            self._dirty.append(row)

    def _change(self, row: TicketTarget, m: clock.Measurement) -> None:
        """Store ``m`` on ``row`` and note on the timeline what newly happened to it."""
        before = load(row)
        if m == before:
            return
        self._store(row, m)
        if m.breached_at is not None and before.breached_at is None:
            self._event(
                TicketEvent.Kind.SLA_BREACHED,
                m.met_at or m.ended_at or m.breached_at,
                row,
                due_at=m.breached_at.isoformat(),
            )
        elif m.state == clock.State.MET and before.state != clock.State.MET:
            self._event(TicketEvent.Kind.SLA_MET, m.met_at, row)

    def _open(self, m: clock.Measurement, *, cycle: int = 1, revision: int = 1) -> TicketTarget:
        row = TicketTarget(
            ticket=self.ticket,
            organisation_id=self.ticket.organisation_id,
            tenant_id=self.ticket.tenant_id,
            cycle=cycle,
            revision=revision,
            priority=self.ticket.priority,
        )
        self._store(row, m)
        self.rows.append(row)
        return row

    def _new(self, kind: str, now: datetime, *, paused: bool = False):
        rule = self.rule(kind)
        if rule is None:
            return None
        return clock.open_measurement(
            self.calendar,
            kind,
            rule,
            now,
            share=self.share,
            paused=paused,
            basis=self.basis(kind),
        )

    def _event(self, kind: str, at: datetime, row: TicketTarget, **data) -> None:
        self.events.append(
            sla_event(
                kind,
                at,
                ticket=self.ticket,
                label=row.label,
                target_id=row.pk,
                target_kind=row.kind,
                cycle=row.cycle,
                **data,
            )
        )

    def _remeasure(self, row: TicketTarget, now: datetime, *, keep_used: bool = False) -> None:
        closed, successor = clock.remeasure(
            self.calendar,
            load(row),
            now,
            self.rule(row.kind),
            share=self.share,
            keep_used=keep_used,
            basis=self.basis(row.kind),
            paused=self._waiting,
        )
        self._change(row, closed)
        if successor is not None:
            self._open(successor, cycle=row.cycle, revision=row.revision + 1)

    @property
    def _waiting(self) -> bool:
        return self.ticket.status == Ticket.Status.WAITING

    # --- what happens to the ticket ---

    def start(self, now: datetime) -> None:
        """A newly submitted ticket: an incident owes its initial response (and resolution
        where its priority has one); a service request its delivery."""
        if self.ticket.kind == Ticket.Kind.SERVICE_REQUEST:
            kinds = [Kind.DELIVERY]
        else:
            kinds = [Kind.INITIAL_RESPONSE, Kind.RESOLUTION]
        for kind in kinds:
            m = self._new(kind, now)
            if m is not None:
                self._open(m)

    def record_support_update(
        self,
        now: datetime,
        *,
        agreed_next_update_at: datetime | None = None,
        continues: bool = True,
    ) -> None:
        """A public update by support: meets the initial response and the current update
        cycle and, unless the ticket is being resolved, opens the next cycle (to the ORT or to
        the next update time agreed with the customer), paused if the ticket waits."""
        for row in self.outstanding(Kind.INITIAL_RESPONSE, Kind.ONGOING_UPDATE):
            self._change(row, clock.meet(self.calendar, load(row), now))
        if not continues or self.ticket.kind != Ticket.Kind.INCIDENT:
            return
        if agreed_next_update_at is not None:
            m = clock.agreed(
                self.calendar,
                Kind.ONGOING_UPDATE,
                now,
                agreed_next_update_at,
                share=self.share,
                paused=self._waiting,
            )
        else:
            m = self._new(Kind.ONGOING_UPDATE, now, paused=self._waiting)
        if m is not None:
            self._open(m, cycle=self._next_cycle(Kind.ONGOING_UPDATE))

    def meet_resolution(self, now: datetime) -> None:
        """Resolution, workaround or action plan: meets the resolution or delivery target."""
        for row in self.outstanding(Kind.RESOLUTION, Kind.DELIVERY):
            self._change(row, clock.meet(self.calendar, load(row), now))

    def pause(self, now: datetime) -> None:
        """The ticket waits for the customer: update, resolution and delivery clocks stop."""
        for row in self.outstanding():
            self._change(row, clock.pause(self.calendar, load(row), now))

    def resume(self, now: datetime) -> None:
        """Paused clocks count on with the time they had left."""
        for row in self.outstanding():
            self._change(row, clock.resume(self.calendar, load(row), now))

    def remeasure_priority(self, now: datetime) -> None:
        """After a priority change: every outstanding target is measured again with the new
        priority from ``now``; the old rows keep what happened under the old one. A priority
        that brings a target the ticket never had (a P1's resolution) opens it now."""
        for row in self.outstanding():
            if row.basis != TicketTarget.Basis.AGREED:  # an agreed time stays agreed
                self._remeasure(row, now)
        ticket = self.ticket
        if (
            ticket.kind == Ticket.Kind.INCIDENT
            and ticket.is_open
            and not any(r.kind == Kind.RESOLUTION for r in self.rows)
        ):
            m = self._new(Kind.RESOLUTION, now, paused=self._waiting)
            if m is not None:
                self._open(m)

    def remeasure_product_defect(self, now: datetime) -> None:
        """After L4 confirms a product defect: the running update cycle follows the defect
        rule, still counted from the previous update (its pauses left out)."""
        for row in self.outstanding(Kind.ONGOING_UPDATE):
            if row.basis != TicketTarget.Basis.AGREED:
                self._remeasure(row, now, keep_used=True)

    def agree_delivery(self, now: datetime, delivery_at: datetime) -> None:
        """A service request's delivery is measured to the date agreed with the customer; an
        earlier measurement closes (a breach already recorded stays)."""
        current = self.outstanding(Kind.DELIVERY)
        if current:
            row = current[0]
            closed, successor = clock.replace_with_agreed(
                self.calendar, load(row), now, delivery_at, share=self.share, paused=self._waiting
            )
            self._change(row, closed)
            self._open(successor, cycle=row.cycle, revision=row.revision + 1)
            return
        m = clock.agreed(
            self.calendar, Kind.DELIVERY, now, delivery_at, share=self.share, paused=self._waiting
        )
        self._open(m, cycle=self._next_cycle(Kind.DELIVERY))

    def restart_updates(self, now: datetime) -> None:
        """A reopened ticket: support owes the customer an update within the ORT again."""
        if self.outstanding(Kind.ONGOING_UPDATE):
            return
        m = self._new(Kind.ONGOING_UPDATE, now)
        if m is not None:
            self._open(m, cycle=self._next_cycle(Kind.ONGOING_UPDATE))

    def cancel_outstanding(self, now: datetime) -> None:
        """A closed or withdrawn ticket owes nothing more; breaches already recorded stay, and
        a deadline that passed unnoticed is recorded as breached now."""
        for row in self.outstanding():
            self._change(row, clock.cancel(self.calendar, load(row), now))

    # --- summary and saving ---

    @property
    def next_due_at(self) -> datetime | None:
        dues = [r.due_at for r in self.outstanding() if r.due_at is not None]
        return min(dues) if dues else None

    @property
    def sla_breached(self) -> bool:
        return any(r.breached_at is not None for r in self.rows)

    def save(self) -> None:
        """Write changed rows and new events, and the ticket's deadline summary."""
        for row in self._dirty:
            row.save()
        self._dirty.clear()
        if self.events:
            publication.publish(TicketEvent.objects.bulk_create(self.events))
            self.events = []
        ticket = self.ticket
        ticket.next_due_at = self.next_due_at
        ticket.sla_breached = self.sla_breached
        ticket.save(update_fields=["next_due_at", "sla_breached"])


def sla_event(
    kind: str,
    at: datetime,
    *,
    label: str,
    target_id: int | None,
    target_kind: str,
    cycle: int,
    body: str = "",
    ticket: Ticket | None = None,
    ticket_id: int | None = None,
    **data,
) -> TicketEvent:
    """An internal timeline event about one target (met, warned, breached), unsaved: the data
    every SLA event carries, whether a service or the sweep writes it."""
    return TicketEvent(
        ticket=ticket,
        ticket_id=ticket_id if ticket is None else ticket.pk,
        kind=kind,
        at=at,
        public=False,
        body=body,
        data={"target": label, "target_id": target_id, "kind": target_kind, "cycle": cycle, **data},
    )


def load(row: TicketTarget) -> clock.Measurement:
    """The measurement a row stores."""
    return clock.Measurement(
        kind=TargetKind(row.kind),
        clock=Clock(row.clock),
        target_seconds=row.target_seconds,
        warn_after_seconds=row.warn_after_seconds,
        started_at=row.started_at,
        running_since=row.running_since,
        banked_seconds=row.banked_seconds,
        paused_at=row.paused_at,
        paused_seconds=row.paused_seconds,
        state=clock.State(row.state),
        met_at=row.met_at,
        breached_at=row.breached_at,
        ended_at=row.ended_at,
        used_seconds=row.used_seconds,
        warned_at=row.warned_at,
        basis=clock.Basis(row.basis),
    )


def refresh(ticket: Ticket) -> None:
    """Copy the earliest outstanding deadline and the breach flag onto the ticket row."""
    book = TargetBook.of(ticket)
    ticket.next_due_at = book.next_due_at
    ticket.sla_breached = book.sla_breached
    ticket.save(update_fields=["next_due_at", "sla_breached"])


# --- the sweep's set-based writes --------------------------------------------------------------


def breach_candidates(now: datetime):
    """Pending targets of open tickets whose deadline passed strictly before ``now`` (met at
    the deadline itself is met): a range scan of the partial index ``target_pending_due``."""
    return TicketTarget.objects.filter(
        state=State.PENDING, due_at__lt=now, ticket__status__in=Ticket.OPEN_STATUSES
    )


def warning_candidates(now: datetime):
    """Pending, running targets whose warning fell at or before ``now`` and is not sent yet:
    a range scan of the partial index ``target_pending_warn``."""
    return TicketTarget.objects.filter(
        state=State.PENDING,
        warned_at__isnull=True,
        warn_at__lte=now,
        due_at__gt=now,
        ticket__status__in=Ticket.OPEN_STATUSES,
    )


def _claim(ids: list[int], assignments: str, set_params: list, condition: str, params: list):
    """``UPDATE … SET assignments WHERE pk IN ids AND condition RETURNING pk``: the rows this
    call changed, and only those. The condition repeats what made the rows candidates, so a row
    another sweep (or a reply) changed since it was read is left alone."""
    table = _quote(TicketTarget._meta.db_table)
    pk = _quote(TicketTarget._meta.pk.column)
    marks = ", ".join(["%s"] * len(ids))
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} IN ({marks}) AND {condition} RETURNING {pk}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*set_params, *ids, *params])
        return [row[0] for row in cursor.fetchall()]


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(model, name: str) -> str:
    return _quote(model._meta.get_field(name).column)


def _db_time(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def mark_breached(ids: list[int], now: datetime) -> list[int]:
    """Record the breach of each target in ``ids`` still pending and overdue at ``now``, in one
    conditional UPDATE; returns the ids this call changed (a racing sweep gets the others).

    This is ``sla.measurement.record_breach`` done set-based: the breach instant is the
    deadline, and the level and assignee are the ticket's at this moment. Then the tickets'
    breach flags (the deadline stays, so ``next_due_at`` stands).
    """
    if not ids:
        return []
    target = TicketTarget
    state, due = _column(target, "state"), _column(target, "due_at")
    held = (
        f"(SELECT t.{{}} FROM {_quote(Ticket._meta.db_table)} t "
        f"WHERE t.{_quote(Ticket._meta.pk.column)} = "
        f"{_quote(target._meta.db_table)}.{_column(target, 'ticket')})"
    )
    won = _claim(
        ids,
        f"{state} = %s, {_column(target, 'breached_at')} = {due}, "
        f"{_column(target, 'held_level')} = {held.format(_column(Ticket, 'level'))}, "
        f"{_column(target, 'held_by')} = {held.format(_column(Ticket, 'assignee'))}",
        [State.BREACHED.value],
        f"{state} = %s AND {due} IS NOT NULL AND {due} < %s",
        [State.PENDING.value, _db_time(now)],
    )
    if won:
        Ticket.objects.filter(
            pk__in=Subquery(TicketTarget.objects.filter(pk__in=won).values("ticket_id")),
            sla_breached=False,
        ).update(sla_breached=True)
    return won


def mark_warned(ids: list[int], now: datetime) -> list[int]:
    """Claim the warning of each target in ``ids`` still pending, unsent and due at ``now``;
    returns the ids this call changed."""
    if not ids:
        return []
    warned, warn, due = (_column(TicketTarget, n) for n in ("warned_at", "warn_at", "due_at"))
    return _claim(
        ids,
        f"{warned} = %s",
        [_db_time(now)],
        f"{_column(TicketTarget, 'state')} = %s AND {warned} IS NULL AND {warn} <= %s "
        f"AND {due} > %s",
        [State.PENDING.value, _db_time(now), _db_time(now)],
    )

"""What a ticket's page says about its SLA targets. Customers read plain sentences about what
support owes them next ("Next update from support: by Tue 24 Nov 2026 15:00 EET"); support staff
read every target row with its state. Pages display these lines; wordings live here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lib.formatting import describe_due, when

from .models import TicketTarget

Kind = TicketTarget.Kind
State = TicketTarget.State
Basis = TicketTarget.Basis


# What a deadline is for, as a customer reads it.
OWED = {
    Kind.INITIAL_RESPONSE: "First answer from support",
    Kind.ONGOING_UPDATE: "Next update from support",
    Kind.RESOLUTION: "Solution (resolution, workaround or action plan)",
    Kind.DELIVERY: "Delivery",
}


def owed_words(kind: str | None) -> str:
    """``Next update from support``: what a ticket's next deadline is for."""
    return OWED.get(kind, "Next step from support")


@dataclass(frozen=True)
class Line:
    label: str
    text: str
    # a badge style: "met", "breached", "waiting" or "" (pending)
    state: str = ""
    note: str = ""
    # the target row it speaks of ("initial_response-1"), for tests and scripts
    target: str = ""


def _late(row: TicketTarget) -> bool:
    return row.state == State.BREACHED or row.breached_at is not None


def _key(row: TicketTarget) -> str:
    return f"{row.kind}-{row.cycle}"


def _given(row: TicketTarget, what: str) -> Line:
    late = _late(row)
    return Line(
        what,
        f"given {when(row.met_at)}",
        "breached" if late else "met",
        "late" if late else "on time",
        _key(row),
    )


def _owed(row: TicketTarget, what: str, now: datetime, *, agreed_words: str = "") -> Line:
    if row.is_paused or row.due_at is None:
        return Line(what, "paused while support waits for your answer", "waiting", "", _key(row))
    text = f"by {when(row.due_at)}"
    if row.basis == Basis.AGREED and agreed_words:
        text += f", {agreed_words}"
    late = row.due_at < now
    return Line(what, text, "breached" if late else "", describe_due(row.due_at, now), _key(row))


def customer_lines(rows, *, now: datetime) -> list[Line]:
    """What support owes the customer and what it gave, in plain words: the first answer, the
    next update (with how the earlier ones went), the solution of a P1, a request's delivery.
    Re-measured rows (a changed priority) are left out: their successor says it."""
    rows = [r for r in rows if r.state not in (State.REPLACED, State.CANCELLED)]
    lines = []
    for row in rows:
        if row.kind == Kind.INITIAL_RESPONSE:
            lines.append(
                _given(row, "First answer")
                if row.met_at
                else _owed(row, OWED[Kind.INITIAL_RESPONSE], now)
            )
    updates = [r for r in rows if r.kind == Kind.ONGOING_UPDATE]
    given = [r for r in updates if r.met_at]
    late = sum(1 for r in given if _late(r))
    if given:
        text = f"{len(given)} so far, " + (
            "all on time" if not late else f"{len(given) - late} on time, {late} late"
        )
        lines.append(Line("Updates", text, "breached" if late else "met"))
    for row in updates:
        if row.is_outstanding:
            lines.append(
                _owed(row, OWED[Kind.ONGOING_UPDATE], now, agreed_words="as agreed with you")
            )
    for row in rows:
        if row.kind == Kind.RESOLUTION:
            what = OWED[Kind.RESOLUTION]
            lines.append(_given(row, what) if row.met_at else _owed(row, what, now))
        if row.kind == Kind.DELIVERY:
            lines.append(
                _given(row, "Delivery")
                if row.met_at
                else _owed(row, "Delivery", now, agreed_words="the date agreed with you")
            )
    return lines


@dataclass(frozen=True)
class Row:
    label: str
    target: str
    due: datetime | None
    due_text: str
    state: str
    state_label: str
    met_at: datetime | None


def staff_rows(rows, *, now: datetime) -> list[Row]:
    """Every target row with its deadline and state, for support staff."""
    result = []
    for row in rows:
        if row.state == State.CANCELLED:
            continue
        label = "Update" if row.kind == Kind.ONGOING_UPDATE else row.get_kind_display()
        if row.kind == Kind.ONGOING_UPDATE:
            label += f" {row.cycle}"
        if row.basis != Basis.POLICY:
            label += f" ({row.get_basis_display().lower()})"
        if row.is_paused:
            due_text, state, state_label = "paused: waiting for the customer", "waiting", "Paused"
        else:
            due_text = "" if row.met_at or row.due_at is None else describe_due(row.due_at, now)
            state, state_label = row.state, row.get_state_display()
        result.append(Row(label, _key(row), row.due_at, due_text, state, state_label, row.met_at))
    return result

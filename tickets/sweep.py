"""The SLA sweep: warn before a ticket's SLA target falls due, record and alert its breach after.

Beat runs ``sla_sweep`` every minute (``tickets.tasks.sla_sweep``). For each pending target of an
open ticket it

- warns the assignee (or, while nobody is assigned, the engineers of the ticket's level) once the
  policy's warning share of the target is used (``TicketTarget.warn_at``), with a timeline event;
- marks the breach once the deadline has passed (``due_at``), alerts the support managers and
  writes a timeline event; a P1 without resolution, workaround or action plan at its resolution
  target (4 hours) also alerts the management team (``SLA_MANAGEMENT_TEAM_EMAILS``).

It is safe to run late, twice, or twice at the same moment:

- "Due" means at or before ``now``, not "in the last minute", so the first sweep after a missed
  tick (beat down for ten minutes) sends everything the missed ones would have sent. When the
  deadline itself has passed by then, only the breach is sent: a warning after the fact helps
  nobody.
- Each warning and breach is claimed by a conditional UPDATE that returns the rows it changed
  (``targets.mark_breached``: ``… WHERE state = 'pending' AND due_at < now``; ``targets.
  mark_warned``: ``… AND warned_at IS NULL AND warn_at <= now``). Only the sweep whose UPDATE
  changed a row writes its event and queues its mail, so a second beat, a redelivered task or
  two racing workers never send twice. A resumed target gets ``warned_at`` cleared
  (``sla.measurement.resume``) and a breach is final, so each (target, deadline) is warned at
  most once and breached at most once.
- The ticket rows of a batch are locked in id order before their targets change: the ticket
  services lock the ticket before they touch its targets, so a sweep and a reply wait for each
  other instead of deadlocking, and two sweeps meet in the same order.
- Mail is queued in the outbox inside the batch's transaction: a rolled-back batch sends
  nothing, and a committed claim always has its mail queued (the timeline shows who was told).

Warnings of business-hours targets are held while their calendar is closed (SPEC: "reminders for
business-hours targets are held until business hours"); they go out in the first sweep after it
opens. Breaches are recorded and alerted at once on every clock: a breach is a fact, only the
reminder to act waits for office hours.

The sweep reads only due rows, through the partial indexes ``target_pending_due`` and
``target_pending_warn``, a bounded batch at a time; the join to the ticket only filters the rows
the index found.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from lib.formatting import hours_or_minutes, short_instant
from lib.urls import absolute_url
from outbox.services import mail_enqueue
from sla import services as sla
from sla.deadlines import Clock, calendar_is_open
from sla.models import Calendar, Priority
from tenants.models import User
from tenants.preferences import Mail, mail_to
from tenants.roles import engineers, managers

from . import publication, targets
from .models import Ticket, TicketEvent, TicketTarget

logger = logging.getLogger(__name__)

# Rows claimed per transaction: 1 % of 200,000 tickets due at once is two batches per kind, and
# the ticket locks of a full batch are held for a fraction of a second (a reply on one of those
# tickets waits that long); bench/sweep.py measured 1,000 well ahead of 250 or 500.
SWEEP_BATCH_SIZE = 1000
# Batches per kind per sweep: whatever is left is the next sweep's, so one run stays well inside
# its task time limit even after a long outage.
SWEEP_MAX_BATCHES = 20

State = TicketTarget.State
Kind = TicketTarget.Kind
EventKind = TicketEvent.Kind


@dataclass
class SweepResult:
    """What one sweep sent."""

    warned: int = 0
    breached: int = 0
    management_alerts: int = 0


def sla_sweep(
    *, now: datetime, batch_size: int = SWEEP_BATCH_SIZE, max_batches: int = SWEEP_MAX_BATCHES
) -> SweepResult:
    """Send every SLA warning and breach alert due at ``now`` that no sweep has sent yet.

    Call it outside a transaction (each batch commits on its own, and mail goes out per
    commit); running it again, or concurrently, sends nothing twice.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime.")
    result = SweepResult()
    for _ in range(max_batches):
        if _breach_batch(now, batch_size, result) < batch_size:
            break
    held_calendars = _closed_calendar_ids(now)
    for _ in range(max_batches):
        if _warning_batch(now, batch_size, held_calendars, result) < batch_size:
            break
    if result.warned or result.breached:
        logger.info(
            "SLA sweep at %s: %d warnings, %d breaches (%d to the management team)",
            now.isoformat(),
            result.warned,
            result.breached,
            result.management_alerts,
        )
    return result


# --- claiming ----------------------------------------------------------------------------------


def breach_claim_query(now: datetime, batch_size: int = SWEEP_BATCH_SIZE):
    """(target id, ticket id) of targets past their deadline, earliest first."""
    return (
        targets.breach_candidates(now)
        .order_by("due_at", "pk")
        .values_list("pk", "ticket_id")[:batch_size]
    )


def warning_claim_query(
    now: datetime, batch_size: int = SWEEP_BATCH_SIZE, held_calendars: frozenset[int] = frozenset()
):
    """(target id, ticket id) of targets whose warning is due, earliest first.

    ``held_calendars`` are the calendars closed at ``now``: their business-hours targets wait.
    They are filtered here rather than skipped after reading, so that a pile of held warnings
    can never fill the batch and starve a 24/7 warning behind them.
    """
    queryset = targets.warning_candidates(now)
    if held_calendars:
        queryset = queryset.filter(
            ~Q(clock=Clock.BUSINESS.value)
            | ~Q(ticket__organisation__sla_policy__calendar_id__in=held_calendars)
        )
    return queryset.order_by("warn_at", "pk").values_list("pk", "ticket_id")[:batch_size]


def _lock_tickets(ticket_ids: set[int]) -> None:
    # Id order, so that two sweeps locking overlapping batches queue up instead of deadlocking.
    # (SQLite has no row locks; its IMMEDIATE transactions already serialise writers.)
    list(
        Ticket.objects.select_for_update()
        .filter(pk__in=ticket_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _breach_batch(now: datetime, batch_size: int, result: SweepResult) -> int:
    with transaction.atomic():
        candidates = list(breach_claim_query(now, batch_size))
        if not candidates:
            return 0
        _lock_tickets({ticket_id for _, ticket_id in candidates})
        won = targets.mark_breached([pk for pk, _ in candidates], now)
        if won:
            _announce_breaches(_load(won, _url_prefix()), now, result)
        return len(candidates)


def _warning_batch(
    now: datetime, batch_size: int, held_calendars: frozenset[int], result: SweepResult
) -> int:
    with transaction.atomic():
        candidates = list(warning_claim_query(now, batch_size, held_calendars))
        if not candidates:
            return 0
        _lock_tickets({ticket_id for _, ticket_id in candidates})
        won = targets.mark_warned([pk for pk, _ in candidates], now)
        if won:
            _announce_warnings(_load(won, _url_prefix()), now, result)
        return len(candidates)


def _load(ids: list[int], url_prefix: str) -> list["_Item"]:
    """What the events and mail need of the claimed targets, in one query of plain rows:
    model instances of five tables for a batch of 500 would cost more than the rest of it."""
    rows = (
        TicketTarget.objects.filter(pk__in=ids)
        .order_by("ticket_id", "pk")
        .values(
            "pk",
            "ticket_id",
            "kind",
            "cycle",
            "priority",
            "due_at",
            "warn_at",
            "target_seconds",
            "ticket__subject",
            "ticket__priority",
            "ticket__level",
            "ticket__status",
            "ticket__assignee_id",
            "ticket__assignee__email",
            "ticket__assignee__full_name",
            "ticket__assignee__is_active",
            "ticket__tenant__name",
            "ticket__organisation__name",
            "ticket__organisation__sla_policy__calendar_id",
            "ticket__organisation__sla_policy__warning_share",
        )
    )
    return [_Item.from_row(row, url_prefix) for row in rows]


# --- business hours ----------------------------------------------------------------------------


def _closed_calendar_ids(now: datetime) -> frozenset[int]:
    closed = set()
    for calendar_id in Calendar.objects.values_list("pk", flat=True):
        try:
            is_open = calendar_is_open(sla.calendar_for(calendar_id), now)
        except ValueError:  # a calendar without opening hours never opens
            is_open = False
        if not is_open:
            closed.add(calendar_id)
    return frozenset(closed)


# --- events and mail ---------------------------------------------------------------------------
#
# Each warning and breach gets its own timeline event. Mail is grouped: everything one batch
# owes the same people goes out as one message (a single item keeps the ticket in the subject),
# so that a pile-up after an outage reaches a manager as one list rather than hundreds of mails.
# A P1 that missed its resolution target always gets a mail of its own.


@dataclass(frozen=True)
class _Item:
    """One claimed warning or breach, with the words the mail and the event use."""

    target_id: int
    ticket_id: int
    kind: str
    cycle: int
    priority: str
    due_at: datetime
    warn_at: datetime | None
    target_seconds: int
    level: str
    assignee_id: int | None
    number: str
    label: str
    url: str
    share: int
    headline: str
    details: str

    @property
    def due(self) -> str:
        """The deadline in the active time zone: the reader's while a mail is rendered."""
        return short_instant(self.due_at, timezone.get_current_timezone())

    @classmethod
    def from_row(cls, row: dict, url_prefix: str) -> "_Item":
        label = Kind(row["kind"]).label
        if row["kind"] == Kind.ONGOING_UPDATE:
            label += f" {row['cycle']}"
        number = f"#{row['ticket_id']}"  # as ``Ticket.number``
        active = row["ticket__assignee__is_active"]
        assigned = (
            f"assigned to {row['ticket__assignee__full_name']}"
            if row["ticket__assignee__email"]
            else "not assigned"
        )
        return cls(
            target_id=row["pk"],
            ticket_id=row["ticket_id"],
            kind=row["kind"],
            cycle=row["cycle"],
            priority=row["priority"] or row["ticket__priority"],
            due_at=row["due_at"],
            warn_at=row["warn_at"],
            target_seconds=row["target_seconds"],
            level=row["ticket__level"],
            assignee_id=row["ticket__assignee_id"] if active else None,
            number=number,
            label=label,
            url=f"{url_prefix}{row['ticket_id']}/",
            share=round(row["ticket__organisation__sla_policy__warning_share"] * 100),
            headline=f'{number} "{row["ticket__subject"]}"',
            details=(
                f"{row['ticket__organisation__name']} · tenant {row['ticket__tenant__name']} · "
                f"priority {row['ticket__priority'] or '—'} · {row['ticket__level']} · "
                f"{Ticket.Status(row['ticket__status']).label} · {assigned}"
            ),
        )


def _url_prefix() -> str:
    """``…/tickets/`` once per batch: every ticket's address is this plus its id."""
    sample = reverse("tickets:detail", args=[1])
    return absolute_url(sample[: sample.rindex("1/")])


def _is_management_alert(item: _Item) -> bool:
    """A P1 without resolution, workaround or action plan at its resolution target."""
    return item.kind == Kind.RESOLUTION and item.priority == Priority.P1


def _event(item: _Item, kind: str, now: datetime, body: str, **data) -> TicketEvent:
    return targets.sla_event(
        kind,
        now,
        ticket_id=item.ticket_id,
        label=item.label,
        target_id=item.target_id,
        target_kind=item.kind,
        cycle=item.cycle,
        body=body,
        due_at=item.due_at.isoformat(),
        **data,
    )


def _addresses(messages: list[EmailMessage]) -> list[str]:
    return sorted({address for message in messages for address in message.to})


def _breach_subject(items: list[_Item]) -> str:
    if len(items) == 1:
        return f"[{items[0].number}] SLA breached: {items[0].label.lower()}"
    return f"SLA breached on {len(items)} targets"


def _management_subject(items: list[_Item]) -> str:
    return f"[{items[0].number}] P1 not resolved after {hours_or_minutes(items[0].target_seconds)}"


def _announce_breaches(items: list[_Item], now: datetime, result: SweepResult) -> None:
    """A timeline event per breach; mail to the managers (one list per batch), and a mail of
    its own to the management team for a P1 without resolution at its resolution target."""
    people = list(managers())
    template = "tickets/email/sla_breached.txt"
    events: list[TicketEvent] = []
    listed: list[_Item] = []
    messages: list[EmailMessage] = []
    for item in items:
        if _is_management_alert(item):
            alert = mail_to(
                people,
                Mail.SLA_BREACHES,
                priority=item.priority,
                extra=settings.SLA_MANAGEMENT_TEAM_EMAILS,
                subject=_management_subject([item]),
                template=template,
                context={"items": [item], "management": True},
            )
            messages += alert
            body = (
                f"P1 without resolution, workaround or action plan at {item.due}; "
                "the management team was alerted."
            )
            events.append(
                _event(
                    item,
                    EventKind.SLA_BREACHED,
                    now,
                    body,
                    management=True,
                    notified=_addresses(alert),
                )
            )
            result.management_alerts += 1
        else:
            listed.append(item)
        result.breached += 1
    if listed:
        digest = mail_to(
            people,
            Mail.SLA_BREACHES,
            subject=lambda: _breach_subject(listed),
            template=template,
            context={"items": listed},
        )
        messages += digest
        for item in listed:
            body = f"{item.label} was due at {item.due}; the managers were alerted."
            events.append(
                _event(
                    item,
                    EventKind.SLA_BREACHED,
                    now,
                    body,
                    management=False,
                    notified=_addresses(digest),
                )
            )
    if not people:
        logger.warning("Nobody to alert about %d breaches: no active managers", len(items))
    publication.publish(TicketEvent.objects.bulk_create(events))
    mail_enqueue(messages)


def _warning_subject(items: list[_Item]) -> str:
    if len(items) == 1:
        item = items[0]
        return f"[{item.number}] SLA warning: {item.label.lower()} due {item.due}"
    return f"SLA warning: {len(items)} targets are nearly due"


def _announce_warnings(items: list[_Item], now: datetime, result: SweepResult) -> None:
    """A timeline event per warning; one mail per audience (the assignee, or the engineers of
    the ticket's level while nobody holds it) listing its targets."""
    assignees = User.objects.in_bulk({i.assignee_id for i in items if i.assignee_id})
    at_levels: dict[str, list] = defaultdict(list)
    for person in engineers(*{i.level for i in items if not i.assignee_id}):
        at_levels[person.support_level].append(person)
    audiences: dict[tuple[str, object], list[_Item]] = defaultdict(list)
    for item in items:
        key = ("assignee", item.assignee_id) if item.assignee_id else ("level", item.level)
        audiences[key].append(item)
    events: list[TicketEvent] = []
    messages: list[EmailMessage] = []
    for (kind, who), group in audiences.items():
        people = [assignees[who]] if kind == "assignee" and who in assignees else at_levels[who]
        sent = mail_to(
            people,
            Mail.SLA_WARNINGS,
            subject=lambda group=group: _warning_subject(group),
            template="tickets/email/sla_warning.txt",
            context={"items": group},
        )
        messages += sent
        if not people:
            logger.warning(
                "Nobody to warn about %d targets: no assignee and no engineers at %s",
                len(group),
                who,
            )
        for item in group:
            body = f"{item.label} is due at {item.due} ({item.share} % of the target used)."
            events.append(
                _event(
                    item,
                    EventKind.SLA_WARNING,
                    now,
                    body,
                    warn_at=item.warn_at.isoformat(),
                    notified=_addresses(sent),
                )
            )
            result.warned += 1
    publication.publish(TicketEvent.objects.bulk_create(events))
    mail_enqueue(messages)

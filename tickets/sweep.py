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
  (``… WHERE state = 'pending' AND due_at <= now`` for a breach, ``… AND warned_at IS NULL AND
  warn_at <= now`` for a warning). Only the sweep whose UPDATE changed a row writes its event and
  sends its mail, so a second beat, a redelivered task or two racing workers never send twice.
  A target given a new deadline by ``sla_state`` gets ``warned_at`` cleared, and a breach is
  final, so each (ticket, target, deadline) is warned at most once and breached at most once.
- The ticket rows of a batch are locked in id order before their targets change: the ticket
  services lock the ticket before they touch its targets, so a sweep and a reply wait for each
  other instead of deadlocking, and two sweeps meet in the same order.
- Mail goes out after the batch commits: a rolled-back batch sends nothing, and a mail outage is
  logged without undoing the record (the timeline shows who should have been told).

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
from datetime import UTC, datetime
from functools import partial
from math import floor

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sla import services as sla
from sla.deadlines import BusinessCalendar, Clock, add_clock_time
from sla.models import Calendar, Priority
from tenants.roles import manager_emails, staff_with_permission

from .models import Ticket, TicketEvent, TicketTarget

logger = logging.getLogger(__name__)

# Rows claimed per transaction: large enough that 1 % of 200,000 tickets is a handful of
# batches, small enough that the ticket locks of one batch are held for milliseconds.
SWEEP_BATCH_SIZE = 500
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


def _open_targets():
    return TicketTarget.objects.filter(state=State.PENDING, ticket__status__in=Ticket.OPEN_STATUSES)


def breach_claim_query(now: datetime, batch_size: int = SWEEP_BATCH_SIZE):
    """(target id, ticket id) of targets past their deadline, earliest first: a range scan of
    the partial index ``target_pending_due``."""
    return (
        _open_targets()
        .filter(due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", "ticket_id")[:batch_size]
    )


def warning_claim_query(
    now: datetime, batch_size: int = SWEEP_BATCH_SIZE, held_calendars: frozenset[int] = frozenset()
):
    """(target id, ticket id) of targets whose warning is due, earliest first: a range scan of
    the partial index ``target_pending_warn``.

    ``held_calendars`` are the calendars closed at ``now``: their business-hours targets wait.
    They are filtered here rather than skipped after reading, so that a pile of held warnings
    can never fill the batch and starve a 24/7 warning behind them.
    """
    queryset = _open_targets().filter(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now)
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


def _column(name: str) -> str:
    return connection.ops.quote_name(TicketTarget._meta.get_field(name).column)


def _claim(ids: list[int], assignments: str, set_params: list, condition: str, params: list):
    """``UPDATE … SET assignments WHERE pk IN ids AND condition RETURNING pk``: the rows this
    call changed, and only those. The condition repeats what made the rows candidates, so a row
    another sweep (or a reply) changed since it was read is left alone."""
    table = connection.ops.quote_name(TicketTarget._meta.db_table)
    pk = connection.ops.quote_name(TicketTarget._meta.pk.column)
    marks = ", ".join(["%s"] * len(ids))
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} IN ({marks}) AND {condition} RETURNING {pk}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*set_params, *ids, *params])
        return [row[0] for row in cursor.fetchall()]


def _db_time(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _breach_batch(now: datetime, batch_size: int, result: SweepResult) -> int:
    with transaction.atomic():
        candidates = list(breach_claim_query(now, batch_size))
        if not candidates:
            return 0
        _lock_tickets({ticket_id for _, ticket_id in candidates})
        state, due = _column("state"), _column("due_at")
        won = _claim(
            [pk for pk, _ in candidates],
            f"{state} = %s, {_column('breached_at')} = {due}",
            [State.BREACHED.value],
            f"{state} = %s AND {due} IS NOT NULL AND {due} <= %s",
            [State.PENDING.value, _db_time(now)],
        )
        if won:
            targets = _load(won)
            # What ``sla_state.refresh`` would compute: a breach leaves the target outstanding
            # with the same deadline (so ``next_due_at`` stands) and sets the breach flag. One
            # UPDATE for the batch instead of three queries per ticket.
            Ticket.objects.filter(pk__in={t.ticket_id for t in targets}, sla_breached=False).update(
                sla_breached=True
            )
            _announce_breaches(targets, now, result)
        return len(candidates)


def _warning_batch(
    now: datetime, batch_size: int, held_calendars: frozenset[int], result: SweepResult
) -> int:
    with transaction.atomic():
        candidates = list(warning_claim_query(now, batch_size, held_calendars))
        if not candidates:
            return 0
        _lock_tickets({ticket_id for _, ticket_id in candidates})
        warned, warn, due = _column("warned_at"), _column("warn_at"), _column("due_at")
        won = _claim(
            [pk for pk, _ in candidates],
            f"{warned} = %s",
            [_db_time(now)],
            f"{_column('state')} = %s AND {warned} IS NULL AND {warn} <= %s AND {due} > %s",
            [State.PENDING.value, _db_time(now), _db_time(now)],
        )
        if won:
            _announce_warnings(_load(won), now, result)
        return len(candidates)


def _load(ids: list[int]) -> list[TicketTarget]:
    return list(
        TicketTarget.objects.filter(pk__in=ids)
        .select_related("ticket__assignee", "ticket__tenant", "ticket__organisation__sla_policy")
        .order_by("ticket_id", "pk")
    )


# --- business hours ----------------------------------------------------------------------------


def calendar_is_open(calendar: BusinessCalendar, now: datetime) -> bool:
    """Whether the business clock of ``calendar`` runs at ``now``."""
    # The business clock counts whole seconds: it runs at ``now`` exactly when its first
    # second from ``now`` is used up one real second later.
    second = floor(now.timestamp())
    return add_clock_time(calendar, Clock.BUSINESS, now, 1) == datetime.fromtimestamp(
        second + 1, UTC
    )


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


def _label(target: TicketTarget) -> str:
    label = target.get_kind_display()
    if target.kind == Kind.ONGOING_UPDATE:
        label += f" {target.cycle}"
    return label


def _local(value: datetime | None, ticket: Ticket) -> str:
    if value is None:
        return ""
    local = timezone.localtime(
        value, sla.calendar_for(ticket.organisation.sla_policy.calendar_id).tz
    )
    return f"{local:%a} {local.day} {local:%b %Y %H:%M %Z}"


def _ticket_url(ticket: Ticket) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("tickets:detail", args=[ticket.pk])


def _is_management_alert(target: TicketTarget) -> bool:
    """A P1 without resolution, workaround or action plan at its resolution target."""
    return target.kind == Kind.RESOLUTION and (target.priority or target.ticket.priority) == (
        Priority.P1
    )


def _message(subject: str, template: str, context: dict, recipients: list[str]) -> EmailMessage:
    return EmailMessage(subject, render_to_string(template, context), None, recipients)


def _send(messages: list[EmailMessage]) -> None:
    if not messages:
        return
    try:
        get_connection().send_messages(messages)
    except Exception:  # the events are recorded; a mail outage must not undo them
        logger.exception("Could not send %d SLA mails", len(messages))


def _announce_breaches(targets: list[TicketTarget], now: datetime, result: SweepResult) -> None:
    managers = manager_emails()
    management = sorted({*managers, *settings.SLA_MANAGEMENT_TEAM_EMAILS})
    events, messages = [], []
    for target in targets:
        ticket = target.ticket
        escalate = _is_management_alert(target)
        recipients = management if escalate else managers
        context = {
            "ticket": ticket,
            "target": _label(target),
            "due": _local(target.due_at, ticket),
            "management": escalate,
            "url": _ticket_url(ticket),
        }
        if escalate:
            subject = f"[{ticket.number}] P1 not resolved after {_duration(target)}"
            body = (
                f"P1 without resolution, workaround or action plan at {context['due']}; "
                "the management team was alerted."
            )
        else:
            subject = f"[{ticket.number}] SLA breached: {context['target'].lower()}"
            body = f"{context['target']} was due at {context['due']}; the managers were alerted."
        events.append(
            TicketEvent(
                ticket=ticket,
                kind=EventKind.SLA_BREACHED,
                at=now,
                public=False,
                body=body,
                data={
                    "target": _label(target),
                    "target_id": target.pk,
                    "kind": target.kind,
                    "cycle": target.cycle,
                    "due_at": target.due_at.isoformat(),
                    "management": escalate,
                    "notified": recipients,
                },
            )
        )
        if recipients:
            messages.append(
                _message(subject, "tickets/email/sla_breached.txt", context, recipients)
            )
        else:
            logger.warning("Nobody to alert about the breach of %s: no active managers", target)
        result.breached += 1
        result.management_alerts += int(escalate)
    TicketEvent.objects.bulk_create(events)
    transaction.on_commit(partial(_send, messages))


def _duration(target: TicketTarget) -> str:
    hours, rest = divmod(target.target_seconds, 3600)
    if rest == 0:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{target.target_seconds // 60} minutes"


def _level_engineers(levels: set[str]) -> dict[str, list[str]]:
    by_level: dict[str, list[str]] = defaultdict(list)
    if levels:
        rows = (
            staff_with_permission("tenants.work_tickets")
            .filter(support_level__in=levels)
            .order_by("email")
            .values_list("support_level", "email")
        )
        for level, email in rows:
            by_level[level].append(email)
    return by_level


def _announce_warnings(targets: list[TicketTarget], now: datetime, result: SweepResult) -> None:
    unassigned_levels = {
        t.ticket.level
        for t in targets
        if t.ticket.assignee is None or not t.ticket.assignee.is_active
    }
    engineers = _level_engineers(unassigned_levels)
    events, messages = [], []
    for target in targets:
        ticket = target.ticket
        if ticket.assignee is not None and ticket.assignee.is_active:
            recipients = [ticket.assignee.email]
        else:
            recipients = engineers.get(ticket.level, [])
        share = round(ticket.organisation.sla_policy.warning_share * 100)
        context = {
            "ticket": ticket,
            "target": _label(target),
            "due": _local(target.due_at, ticket),
            "share": share,
            "url": _ticket_url(ticket),
        }
        events.append(
            TicketEvent(
                ticket=ticket,
                kind=EventKind.SLA_WARNING,
                at=now,
                public=False,
                body=f"{context['target']} is due at {context['due']} ({share} % of the "
                "target used).",
                data={
                    "target": _label(target),
                    "target_id": target.pk,
                    "kind": target.kind,
                    "cycle": target.cycle,
                    "due_at": target.due_at.isoformat(),
                    "warn_at": target.warn_at.isoformat(),
                    "notified": recipients,
                },
            )
        )
        if recipients:
            messages.append(
                _message(
                    f"[{ticket.number}] SLA warning: {context['target'].lower()} due "
                    f"{context['due']}",
                    "tickets/email/sla_warning.txt",
                    context,
                    recipients,
                )
            )
        else:
            logger.warning(
                "Nobody to warn about %s: no assignee and no engineers at %s", target, ticket.level
            )
        result.warned += 1
    TicketEvent.objects.bulk_create(events)
    transaction.on_commit(partial(_send, messages))

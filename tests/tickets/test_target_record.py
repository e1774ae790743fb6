"""The target record reports read: re-measures keep what happened, breaches never disappear,
pauses keep counting, and each decided row says how much clock time it used and who held it.
Hand-computed instants (Europe/Helsinki; Monday 16 November 2026)."""

from datetime import datetime

from sla.deadlines import Clock
from tickets import services
from tickets.models import Ticket, TicketEvent

from .conftest import local
from .helpers import target

DAY = 510 * 60


def _file(contact, tenant, priority, when):
    return services.ticket_create(
        submitter=contact,
        tenant_id=tenant.pk,
        kind="incident",
        priority=priority,
        subject="Queue stuck",
        description="Calls wait forever.",
        now=when,
    )


def _fresh(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def _to_l4(ticket, manager, when):
    for _ in range(3):
        ticket = _fresh(ticket)
        services.ticket_escalate(
            ticket=ticket, actor=manager, reason="Next level", version=ticket.version, now=when
        )
    return _fresh(ticket)


def test_a_missed_initial_response_stays_breached_after_a_reclassification_the_sweep_never_saw(
    org_a, engineers
):
    # P3 filed Monday 09:00: the initial response is due Tuesday 09:00. Nobody answers, no
    # sweep runs; at 10:00 L1 raises it to P2 and answers at 10:30.
    ticket = _file(org_a.contact, org_a.prod, "P3", local(2026, 11, 16, 9, 0))
    assert target(ticket, "initial_response").due_at == local(2026, 11, 17, 9, 0)
    services.ticket_reclassify(
        ticket=_fresh(ticket),
        actor=engineers["L1"],
        priority="P2",
        reason="Two sites affected",
        version=_fresh(ticket).version,
        now=local(2026, 11, 17, 10, 0),
    )
    services.ticket_reply(
        ticket=_fresh(ticket),
        author=engineers["L1"],
        body="On it.",
        now=local(2026, 11, 17, 10, 30),
    )

    missed = target(ticket, "initial_response", revision=1)
    assert (missed.priority, missed.state, missed.breached_at) == (
        "P3",
        "breached",
        local(2026, 11, 17, 9, 0),
    )
    assert missed.ended_at == local(2026, 11, 17, 10, 0) and missed.met_at is None
    assert missed.used_seconds == DAY + 3600  # the whole business day, then 09:00–10:00
    assert (missed.held_level, missed.held_by) == ("L1", None)
    remeasured = target(ticket, "initial_response", revision=2)
    assert (remeasured.priority, remeasured.clock, remeasured.started_at) == (
        "P2",
        Clock.ALWAYS,
        local(2026, 11, 17, 10, 0),
    )
    assert remeasured.due_at == local(2026, 11, 17, 14, 0)
    assert (remeasured.state, remeasured.met_at, remeasured.used_seconds) == (
        "met",
        local(2026, 11, 17, 10, 30),
        1800,
    )
    assert _fresh(ticket).sla_breached is True
    breach = ticket.events.get(kind=TicketEvent.Kind.SLA_BREACHED)
    assert datetime.fromisoformat(breach.data["due_at"]) == local(2026, 11, 17, 9, 0)


def test_a_missed_update_stays_breached_after_a_product_defect_is_confirmed(
    org_a, engineers, manager
):
    ticket = _file(org_a.contact, org_a.prod, "P3", local(2026, 11, 16, 9, 0))
    services.ticket_reply(
        ticket=ticket, author=engineers["L1"], body="Looking.", now=local(2026, 11, 16, 10, 0)
    )
    assert target(ticket, "ongoing_update").due_at == local(2026, 11, 19, 10, 0)
    ticket = _to_l4(ticket, manager, local(2026, 11, 17, 9, 0))
    services.ticket_confirm_defect(
        ticket=ticket,
        actor=engineers["L4"],
        reason="Null pointer in the router",
        version=ticket.version,
        now=local(2026, 11, 19, 12, 0),
    )

    missed = target(ticket, "ongoing_update", revision=1)
    assert (missed.state, missed.breached_at, missed.ended_at) == (
        "breached",
        local(2026, 11, 19, 10, 0),
        local(2026, 11, 19, 12, 0),
    )
    assert missed.held_level == "L4"
    defect = target(ticket, "ongoing_update", revision=2)
    assert (defect.basis, defect.state, defect.banked_seconds) == (
        "product_defect",
        "pending",
        3 * DAY + 2 * 3600,
    )
    # Ten business days from the update on Monday 16th at 10:00.
    assert defect.due_at == local(2026, 11, 30, 10, 0)
    assert _fresh(ticket).sla_breached is True


def test_a_product_defect_keeps_the_pause_earlier_in_the_update_cycle(org_a, engineers, manager):
    ticket = _file(org_a.contact, org_a.prod, "P3", local(2026, 11, 16, 9, 0))
    services.ticket_reply(
        ticket=ticket, author=engineers["L1"], body="Looking.", now=local(2026, 11, 16, 10, 0)
    )
    # Monday 11:00 support asks the customer (a public update: cycle 2 starts, paused).
    services.ticket_wait_for_customer(
        ticket=_fresh(ticket),
        actor=engineers["L1"],
        message="Which queue?",
        version=_fresh(ticket).version,
        now=local(2026, 11, 16, 11, 0),
    )
    # The customer answers on Tuesday at 11:00.
    services.ticket_customer_reply(
        ticket=_fresh(ticket), author=org_a.contact, body="Sales.", now=local(2026, 11, 17, 11, 0)
    )
    cycle = target(ticket, "ongoing_update", 2)
    assert cycle.due_at == local(2026, 11, 20, 11, 0)  # three business days, the pause left out
    assert cycle.paused_seconds == DAY  # Monday 11:00–16:30 and Tuesday 08:00–11:00
    ticket = _to_l4(ticket, manager, local(2026, 11, 17, 12, 0))
    services.ticket_confirm_defect(
        ticket=ticket,
        actor=engineers["L4"],
        reason="Confirmed in the code",
        version=ticket.version,
        now=local(2026, 11, 18, 10, 0),
    )

    replaced = target(ticket, "ongoing_update", 2, revision=1)
    assert (replaced.state, replaced.used_seconds) == ("replaced", 5 * 3600 + 30 * 60 + 2 * 3600)
    defect = target(ticket, "ongoing_update", 2, revision=2)
    # Ten business days from Monday 11:00 plus the business day spent paused.
    assert defect.due_at == local(2026, 12, 1, 11, 0)
    assert _fresh(ticket).sla_breached is False


def test_met_and_breached_rows_record_the_level_and_assignee_of_their_moment(
    org_a, engineers, manager
):
    ticket = _file(org_a.contact, org_a.prod, "P1", local(2026, 11, 16, 9, 0))
    services.ticket_take(
        ticket=ticket,
        actor=engineers["L1"],
        version=_fresh(ticket).version,
        now=local(2026, 11, 16, 9, 5),
    )
    services.ticket_reply(
        ticket=_fresh(ticket),
        author=engineers["L1"],
        body="Calling you.",
        now=local(2026, 11, 16, 9, 20),
    )
    services.ticket_escalate(
        ticket=_fresh(ticket),
        actor=engineers["L1"],
        reason="Platform issue",
        version=_fresh(ticket).version,
        now=local(2026, 11, 16, 9, 30),
    )
    services.ticket_resolve(
        ticket=_fresh(ticket),
        actor=engineers["L2"],
        resolution_type="workaround",
        summary="Restarted the router.",
        version=_fresh(ticket).version,
        now=local(2026, 11, 16, 12, 0),
    )

    initial = target(ticket, "initial_response")
    assert (initial.held_level, initial.held_by, initial.used_seconds) == (
        "L1",
        engineers["L1"],
        20 * 60,
    )
    resolution = target(ticket, "resolution")
    assert (resolution.state, resolution.held_level, resolution.held_by) == ("met", "L2", None)
    assert resolution.used_seconds == 3 * 3600

"""The ticket's stored deadlines (``tickets.sla_state``, which keeps the clock time left on the
row) agree with the SLA engine's pure model of pauses and reclassification
(``sla.measurement``, which keeps the pause intervals)."""

import pytest

from sla import measurement
from sla import services as sla
from tickets import services

from .conftest import local
from .helpers import target


@pytest.mark.parametrize(
    ("priority", "pause", "resume"),
    [
        ("P1", local(2026, 11, 17, 10, 20), local(2026, 11, 17, 18, 0)),
        ("P2", local(2026, 11, 17, 10, 20), local(2026, 11, 19, 3, 0)),
        ("P3", local(2026, 11, 17, 15, 0), local(2026, 11, 23, 9, 30)),
        ("P4", local(2026, 12, 4, 15, 0), local(2026, 12, 8, 8, 0)),  # across Independence Day
    ],
)
def test_a_paused_resolution_or_update_deadline_matches_the_pure_model(
    org_a, engineers, priority, pause, resume
):
    created = local(2026, 11, 17, 10, 0) if priority != "P4" else local(2026, 12, 3, 10, 0)
    ticket = services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="incident",
        priority=priority,
        subject="Compare",
        description="Same semantics in both places.",
        now=created,
    )
    services.ticket_reply(
        ticket=ticket, author=engineers["L1"], body="First answer", now=created.replace(minute=10)
    )
    ticket.refresh_from_db()
    services.ticket_wait_for_customer(
        ticket=ticket, actor=engineers["L1"], message="Logs?", version=ticket.version, now=pause
    )
    ticket.refresh_from_db()
    services.ticket_resume(ticket=ticket, actor=engineers["L1"], version=ticket.version, now=resume)

    calendar = sla.calendar_for(ticket.organisation.sla_policy.calendar_id)
    stored = target(ticket, "ongoing_update", 2)
    rule = sla.target_for(
        policy=ticket.organisation.sla_policy, priority=priority, kind="ongoing_update"
    )
    # Cycle 2 started with the question to the customer, paused at once, and ran again on resume.
    m = measurement.start_measuring("ongoing_update", rule, pause)
    m = measurement.resume(calendar, measurement.pause(calendar, m, pause), resume)
    assert stored.due_at == measurement.deadline(calendar, m)

    if priority == "P1":
        resolution = target(ticket, "resolution")
        rule = sla.target_for(
            policy=ticket.organisation.sla_policy, priority="P1", kind="resolution"
        )
        m = measurement.start_measuring("resolution", rule, created)
        m = measurement.resume(calendar, measurement.pause(calendar, m, pause), resume)
        assert resolution.due_at == measurement.deadline(calendar, m)


def test_a_reclassified_initial_response_matches_the_pure_model(org_a, engineers):
    created, changed = local(2026, 11, 17, 10, 0), local(2026, 11, 17, 12, 30)
    ticket = services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="incident",
        priority="P4",
        subject="Compare",
        description="Reclassified.",
        now=created,
    )
    services.ticket_reclassify(
        ticket=ticket,
        actor=engineers["L1"],
        priority="P2",
        reason="Worse",
        version=ticket.version,
        now=changed,
    )
    policy = ticket.organisation.sla_policy
    calendar = sla.calendar_for(policy.calendar_id)
    m = measurement.start_measuring(
        "initial_response",
        sla.target_for(policy=policy, priority="P4", kind="initial_response"),
        created,
    )
    m = measurement.reclassify(
        calendar, m, sla.target_for(policy=policy, priority="P2", kind="initial_response"), changed
    )
    assert target(ticket, "initial_response").due_at == measurement.deadline(calendar, m)

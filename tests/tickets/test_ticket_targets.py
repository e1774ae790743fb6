"""SLA bookkeeping of a ticket through its services, with a fixed ``now``."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from tickets import services
from tickets.models import Ticket, TicketEvent, TicketTarget

from .conftest import local
from .helpers import target


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


def _at_level(ticket, level):
    Ticket.objects.filter(pk=ticket.pk).update(level=level)
    ticket.refresh_from_db()
    return ticket


def test_a_p3_update_cycle_switches_to_ten_business_days_when_l4_confirms_a_defect(
    org_a, engineers
):
    ticket = _file(org_a.contact, org_a.prod, "P3", local(2026, 11, 17, 10, 0))
    services.ticket_reply(
        ticket=ticket, author=engineers["L1"], body="Looking.", now=local(2026, 11, 17, 11, 0)
    )
    assert target(ticket, "ongoing_update").due_at == local(2026, 11, 20, 11, 0)
    ticket = _at_level(ticket, "L4")
    services.ticket_confirm_defect(
        ticket=ticket,
        actor=engineers["L4"],
        reason="Bug",
        version=ticket.version,
        now=local(2026, 11, 18, 10, 0),
    )
    assert target(ticket, "ongoing_update").due_at == local(2026, 12, 1, 11, 0)


def test_waiting_for_the_customer_pauses_the_update_clock_but_not_the_initial_response(
    org_a, engineers
):
    ticket = _file(org_a.contact, org_a.prod, "P2", local(2026, 11, 17, 10, 0))
    # The question to the customer is itself a public update: IR met, the next cycle starts paused.
    services.ticket_wait_for_customer(
        ticket=ticket,
        actor=engineers["L1"],
        message="Which queue?",
        version=ticket.version,
        now=local(2026, 11, 17, 11, 0),
    )
    ticket.refresh_from_db()
    assert ticket.status == "waiting"
    cycle = target(ticket, "ongoing_update")
    assert cycle.due_at is None and cycle.is_paused and cycle.banked_seconds == 0
    # The customer answers 20 hours later: the full 6 hours are still there.
    services.ticket_customer_reply(
        ticket=ticket, author=org_a.contact, body="Queue 'Sales'.", now=local(2026, 11, 18, 7, 0)
    )
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    cycle.refresh_from_db()
    assert cycle.due_at == local(2026, 11, 18, 13, 0)
    assert cycle.paused_seconds == 20 * 3600
    assert ticket.next_due_at == cycle.due_at


def test_a_pause_on_a_business_clock_counts_only_business_time(org_a, engineers):
    ticket = _file(org_a.contact, org_a.prod, "P3", local(2026, 11, 17, 10, 0))
    services.ticket_reply(
        ticket=ticket, author=engineers["L1"], body="Looking.", now=local(2026, 11, 17, 11, 0)
    )
    ticket.refresh_from_db()
    # Due Fri 20 Nov 11:00. Paused on Thu 19 Nov 11:00 with one business day left.
    services.ticket_wait_for_customer(
        ticket=ticket,
        actor=engineers["L1"],
        message="Logs please",
        version=ticket.version,
        now=local(2026, 11, 19, 11, 0),
    )
    ticket.refresh_from_db()
    services.ticket_resume(
        ticket=ticket, actor=engineers["L1"], version=ticket.version, now=local(2026, 11, 23, 9, 0)
    )
    # The pause asked a question (a public update): cycle 2 started paused with its full 3 days.
    assert target(ticket, "ongoing_update", 1).state == "met"
    assert target(ticket, "ongoing_update", 2).due_at == local(2026, 11, 26, 9, 0)


def test_coming_out_of_a_pause_never_makes_a_ticket_overdue_at_once(org_a, engineers):
    ticket = _file(org_a.contact, org_a.prod, "P1", local(2026, 11, 17, 10, 0))
    services.ticket_wait_for_customer(
        ticket=ticket,
        actor=engineers["L1"],
        message="Call us",
        version=ticket.version,
        now=local(2026, 11, 17, 13, 59),
    )
    ticket.refresh_from_db()
    services.ticket_resume(
        ticket=ticket, actor=engineers["L1"], version=ticket.version, now=local(2026, 11, 18, 9, 0)
    )
    resolution = target(ticket, "resolution")
    assert resolution.due_at == local(2026, 11, 18, 9, 1)
    assert resolution.state == "pending"


def test_reclassifying_measures_unmet_targets_again_from_that_moment(org_a, engineers):
    ticket = _file(org_a.contact, org_a.prod, "P3", local(2026, 11, 17, 10, 0))
    changed = local(2026, 11, 17, 12, 0)
    services.ticket_reclassify(
        ticket=ticket,
        actor=engineers["L1"],
        priority="P1",
        reason="All agents down",
        version=ticket.version,
        now=changed,
    )
    ticket.refresh_from_db()
    assert ticket.priority == "P1"
    assert target(ticket, "initial_response").due_at == changed + timedelta(minutes=60)
    assert target(ticket, "resolution").due_at == changed + timedelta(hours=4)
    event = ticket.events.get(kind=TicketEvent.Kind.PRIORITY_CHANGED)
    assert (event.data, event.reason, event.actor) == (
        {"from": "P3", "to": "P1"},
        "All agents down",
        engineers["L1"],
    )


def test_a_breach_stays_on_record_after_a_reclassification(org_a, engineers):
    ticket = _file(org_a.contact, org_a.prod, "P1", local(2026, 11, 17, 10, 0))
    # Answered late: the initial response is breached at its deadline.
    services.ticket_reply(
        ticket=ticket,
        author=engineers["L1"],
        body="Sorry for the wait.",
        now=local(2026, 11, 17, 11, 30),
    )
    initial = target(ticket, "initial_response")
    assert (initial.state, initial.breached_at, initial.met_at) == (
        "breached",
        local(2026, 11, 17, 11, 0),
        local(2026, 11, 17, 11, 30),
    )
    ticket.refresh_from_db()
    services.ticket_reclassify(
        ticket=ticket,
        actor=engineers["L1"],
        priority="P3",
        reason="Only one queue",
        version=ticket.version,
        now=local(2026, 11, 17, 12, 0),
    )
    initial.refresh_from_db()
    assert initial.state == "breached"
    ticket.refresh_from_db()
    assert ticket.sla_breached is True
    # P3 has no resolution target: the pending one is closed unmet, with no successor.
    resolution = target(ticket, "resolution")
    assert (resolution.state, resolution.ended_at) == ("replaced", local(2026, 11, 17, 12, 0))
    assert ticket.targets.filter(kind="resolution").count() == 1


def test_the_reclassification_still_obeys_the_p1_rule(org_a, engineers):
    ticket = _file(org_a.contact, org_a.test, "P3", local(2026, 11, 17, 10, 0))
    with pytest.raises(ValidationError) as caught:
        services.ticket_reclassify(
            ticket=ticket,
            actor=engineers["L1"],
            priority="P1",
            reason="Urgent",
            version=ticket.version,
            now=local(2026, 11, 17, 11, 0),
        )
    assert caught.value.error_dict["priority"][0].code == "p1_needs_production"
    ticket.refresh_from_db()
    assert ticket.priority == "P3"
    assert not ticket.events.filter(kind=TicketEvent.Kind.PRIORITY_CHANGED).exists()


def test_an_agreed_next_update_time_replaces_the_ort_for_that_cycle(org_a, engineers):
    ticket = _file(org_a.contact, org_a.prod, "P2", local(2026, 11, 17, 10, 0))
    agreed = local(2026, 11, 18, 9, 0)
    services.ticket_reply(
        ticket=ticket,
        author=engineers["L1"],
        body="Next update tomorrow 9:00 as agreed.",
        next_update_at=agreed,
        now=local(2026, 11, 17, 10, 30),
    )
    assert target(ticket, "ongoing_update").due_at == agreed


def test_an_agreed_next_update_in_the_past_is_refused(org_a, engineers):
    ticket = _file(org_a.contact, org_a.prod, "P2", local(2026, 11, 17, 10, 0))
    with pytest.raises(ValidationError) as caught:
        services.ticket_reply(
            ticket=ticket,
            author=engineers["L1"],
            body="x",
            next_update_at=local(2026, 11, 17, 9, 0),
            now=local(2026, 11, 17, 10, 30),
        )
    assert caught.value.error_dict["next_update_at"][0].code == "next_update_past"
    assert not ticket.events.filter(kind=TicketEvent.Kind.PUBLIC_REPLY).exists()
    assert target(ticket, "initial_response").state == "pending"


def test_an_internal_note_does_not_count_as_a_response(org_a, engineers):
    ticket = _file(org_a.contact, org_a.prod, "P2", local(2026, 11, 17, 10, 0))
    services.ticket_add_note(
        ticket=ticket, author=engineers["L1"], body="Checking logs", now=local(2026, 11, 17, 10, 5)
    )
    assert target(ticket, "initial_response").state == "pending"


def _planned_request(contact, tenant, when):
    return services.ticket_create(
        submitter=contact,
        tenant_id=tenant.pk,
        kind="service_request",
        request_size="planned",
        subject="New SIP trunk",
        description="Second trunk for Sweden.",
        now=when,
    )


def test_a_planned_request_has_no_delivery_target_until_a_date_is_agreed(org_a, engineers):
    ticket = _planned_request(org_a.contact, org_a.prod, local(2026, 11, 17, 10, 0))
    assert not ticket.targets.exists()
    agreed = local(2026, 12, 4, 12, 0)
    services.ticket_agree_delivery(
        ticket=ticket,
        actor=engineers["L1"],
        delivery_at=agreed,
        note="Cut-over on the 4th",
        version=ticket.version,
        now=local(2026, 11, 18, 9, 0),
    )
    ticket.refresh_from_db()
    assert ticket.agreed_delivery_at == agreed
    assert target(ticket, "delivery").due_at == agreed
    assert ticket.next_due_at == agreed
    assert ticket.events.filter(kind=TicketEvent.Kind.DELIVERY_AGREED, public=True).exists()


def test_a_delivery_date_in_the_past_is_refused(org_a, engineers):
    ticket = _planned_request(org_a.contact, org_a.prod, local(2026, 11, 17, 10, 0))
    with pytest.raises(ValidationError) as caught:
        services.ticket_agree_delivery(
            ticket=ticket,
            actor=engineers["L1"],
            delivery_at=local(2026, 11, 16, 12, 0),
            version=ticket.version,
            now=local(2026, 11, 18, 9, 0),
        )
    assert caught.value.error_dict["delivery_at"][0].code == "delivery_past"
    ticket.refresh_from_db()
    assert ticket.agreed_delivery_at is None and not ticket.targets.exists()


def test_incidents_have_no_delivery_date(org_a, engineers):
    ticket = _file(org_a.contact, org_a.prod, "P3", local(2026, 11, 17, 10, 0))
    with pytest.raises(ValidationError) as caught:
        services.ticket_agree_delivery(
            ticket=ticket,
            actor=engineers["L1"],
            delivery_at=local(2026, 12, 1, 12, 0),
            version=ticket.version,
            now=local(2026, 11, 18, 9, 0),
        )
    assert caught.value.code == "not_open_request"


def test_the_minor_request_delivery_target_comes_from_the_policy(org_a):
    policy = org_a.org.sla_policy
    policy.minor_request_delivery_days = 5
    policy.save()
    ticket = services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="service_request",
        request_size="minor",
        subject="Add queues",
        description="Three new queues.",
        now=local(2026, 11, 17, 10, 0),
    )
    assert target(ticket, "delivery").due_at == local(2026, 11, 24, 10, 0)


def test_a_target_warned_before_a_pause_can_be_warned_again_for_its_new_deadline(org_a, engineers):
    ticket = _file(org_a.contact, org_a.prod, "P1", local(2026, 11, 17, 10, 0))
    resolution = target(ticket, "resolution")
    TicketTarget.objects.filter(pk=resolution.pk).update(warned_at=local(2026, 11, 17, 13, 12))
    services.ticket_wait_for_customer(
        ticket=ticket,
        actor=engineers["L1"],
        message="Logs?",
        version=ticket.version,
        now=local(2026, 11, 17, 13, 30),
    )
    ticket.refresh_from_db()
    services.ticket_resume(
        ticket=ticket, actor=engineers["L1"], version=ticket.version, now=local(2026, 11, 18, 9, 0)
    )
    resolution.refresh_from_db()
    assert resolution.due_at == local(2026, 11, 18, 9, 30)
    assert resolution.warned_at is None

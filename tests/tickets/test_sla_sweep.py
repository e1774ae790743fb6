"""The SLA sweep (``tickets.sweep.sla_sweep``) called with a fixed ``now``: warnings, breaches,
manager and management alerts, held business-hours warnings, catch-up and idempotency."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tickets import services, targets
from tickets.models import Ticket, TicketEvent
from tickets.sweep import sla_sweep

from .conftest import local
from .helpers import target

# Tuesday 17 November 2026, an ordinary business day in Helsinki.
TUESDAY = (2026, 11, 17)


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """``sla_sweep`` as beat runs it: outside a transaction, so its mail goes out on commit."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return sla_sweep(**kwargs)

    return run


def _file(contact, tenant, priority, when, subject="Queue stuck"):
    return services.ticket_create(
        submitter=contact,
        tenant_id=tenant.pk,
        kind="incident",
        priority=priority,
        subject=subject,
        description="Calls wait forever.",
        now=when,
    )


def _events(ticket, kind):
    return list(TicketEvent.objects.filter(ticket=ticket, kind=kind).order_by("pk"))


def _mails(subject_part: str):
    return [m for m in mail.outbox if subject_part in m.subject]


def test_a_p1_warning_goes_to_the_levels_engineers_at_80_percent_once(
    org_a, engineers, manager, sweep
):
    ticket = _file(org_a.contact, org_a.prod, "P1", local(*TUESDAY, 10, 0))

    assert sweep(now=local(*TUESDAY, 10, 47)).warned == 0
    result = sweep(now=local(*TUESDAY, 10, 48))

    assert (result.warned, result.breached) == (1, 0)
    (message,) = mail.outbox
    assert message.to == ["l1@support.example"]
    assert f"[{ticket.number}] SLA warning: initial response due Tue 17 Nov 2026 11:00" in (
        message.subject
    )
    assert "80 % of the target is used" in message.body
    (event,) = _events(ticket, TicketEvent.Kind.SLA_WARNING)
    assert event.at == local(*TUESDAY, 10, 48)
    assert event.public is False
    assert event.data["target"] == "Initial response"
    assert event.data["notified"] == ["l1@support.example"]
    assert target(ticket, "initial_response").warned_at == local(*TUESDAY, 10, 48)

    # Later sweeps (and a redelivered task) find nothing new to send.
    assert sweep(now=local(*TUESDAY, 10, 49)).warned == 0
    assert sweep(now=local(*TUESDAY, 10, 48)).warned == 0
    assert len(mail.outbox) == 1
    assert len(_events(ticket, TicketEvent.Kind.SLA_WARNING)) == 1


def test_an_assigned_ticket_warns_only_its_assignee(org_a, engineers, sweep):
    ticket = _file(org_a.contact, org_a.prod, "P1", local(*TUESDAY, 10, 0))
    services.ticket_take(
        ticket=ticket,
        actor=engineers["L1"],
        version=ticket.version,
        now=local(*TUESDAY, 10, 5),
    )
    ticket.refresh_from_db()
    ticket.assignee.email = "assignee@support.example"
    ticket.assignee.save(update_fields=["email"])

    sweep(now=local(*TUESDAY, 10, 50))

    assert [m.to for m in mail.outbox] == [["assignee@support.example"]]


def test_a_missed_deadline_is_breached_once_and_alerts_the_managers(
    org_a, engineers, manager, sweep
):
    ticket = _file(org_a.contact, org_a.prod, "P2", local(*TUESDAY, 10, 0))

    # Met at the deadline itself is met: the breach falls in the first sweep after it.
    assert sweep(now=local(*TUESDAY, 14, 0)).breached == 0
    result = sweep(now=local(*TUESDAY, 14, 0, 1))

    assert (result.breached, result.management_alerts) == (1, 0)
    breached = _mails("SLA breached")
    assert [m.to for m in breached] == [["manager@support.example"]]
    assert breached[0].subject == f"[{ticket.number}] SLA breached: initial response"
    assert "was due at Tue 17 Nov 2026 14:00 EET" in breached[0].body
    initial = target(ticket, "initial_response")
    assert initial.state == "breached"
    assert initial.breached_at == local(*TUESDAY, 14, 0)
    (event,) = _events(ticket, TicketEvent.Kind.SLA_BREACHED)
    assert event.data["due_at"] == initial.due_at.isoformat()
    assert event.data["notified"] == ["manager@support.example"]
    ticket.refresh_from_db()
    assert ticket.sla_breached is True

    assert sweep(now=local(*TUESDAY, 14, 1)).breached == 0
    assert sweep(now=local(*TUESDAY, 18, 0)).breached == 0
    assert len(_mails("SLA breached")) == 1
    assert len(_events(ticket, TicketEvent.Kind.SLA_BREACHED)) == 1


def test_the_ticket_row_after_a_breach_is_what_targets_refresh_would_compute(
    org_a, engineers, manager, sweep
):
    ticket = _file(org_a.contact, org_a.prod, "P1", local(*TUESDAY, 10, 0))
    sweep(now=local(*TUESDAY, 11, 5))
    ticket.refresh_from_db()
    swept = (ticket.next_due_at, ticket.sla_breached)

    targets.refresh(ticket)
    ticket.refresh_from_db()

    assert (ticket.next_due_at, ticket.sla_breached) == swept == (local(*TUESDAY, 11, 0), True)


def test_a_p1_unresolved_at_four_hours_alerts_the_management_team(
    org_a, engineers, manager, settings, sweep
):
    settings.SLA_MANAGEMENT_TEAM_EMAILS = ["board@vendor.example"]
    ticket = _file(org_a.contact, org_a.prod, "P1", local(*TUESDAY, 10, 0))
    for minute in (30, 80, 130, 180, 230):  # updates every 50 minutes: no ORT is missed
        services.ticket_reply(
            ticket=ticket,
            author=engineers["L1"],
            body="Still on it.",
            now=local(*TUESDAY, 10, 0) + timedelta(minutes=minute),
        )
        sweep(now=local(*TUESDAY, 10, 0) + timedelta(minutes=minute + 1))
    mail.outbox.clear()

    assert sweep(now=local(*TUESDAY, 14, 0)).management_alerts == 0
    result = sweep(now=local(*TUESDAY, 14, 1))

    assert (result.breached, result.management_alerts) == (1, 1)
    (alert,) = mail.outbox
    assert alert.subject == f"[{ticket.number}] P1 not resolved after 4 hours"
    assert sorted(alert.to) == ["board@vendor.example", "manager@support.example"]
    assert "no resolution, workaround or action plan" in alert.body
    (event,) = _events(ticket, TicketEvent.Kind.SLA_BREACHED)
    assert event.data["management"] is True
    assert target(ticket, "resolution").state == "breached"
    assert sweep(now=local(*TUESDAY, 14, 30)).management_alerts == 0


def test_a_p2_breach_does_not_reach_the_management_team(org_a, engineers, manager, settings, sweep):
    settings.SLA_MANAGEMENT_TEAM_EMAILS = ["board@vendor.example"]
    _file(org_a.contact, org_a.prod, "P2", local(*TUESDAY, 10, 0))

    result = sweep(now=local(*TUESDAY, 14, 1))

    assert (result.breached, result.management_alerts) == (1, 0)
    assert all("board@vendor.example" not in m.to for m in mail.outbox)


def test_what_one_sweep_owes_the_same_people_arrives_as_one_list(
    org_a, engineers, manager, settings, sweep
):
    settings.SLA_MANAGEMENT_TEAM_EMAILS = ["board@vendor.example"]
    late = [
        _file(org_a.contact, org_a.prod, "P2", local(*TUESDAY, 6, n), subject=f"Late {n}")
        for n in range(3)
    ]
    p1 = _file(org_a.contact, org_a.prod, "P1", local(*TUESDAY, 6, 0), subject="Down")
    services.ticket_reply(
        ticket=p1, author=engineers["L1"], body="On it.", now=local(*TUESDAY, 6, 5)
    )

    result = sweep(now=local(*TUESDAY, 10, 30))

    # Three P2 initial responses, the P1's first update cycle and its resolution target.
    assert (result.breached, result.management_alerts) == (5, 1)
    by_subject = {m.subject: m for m in mail.outbox}
    assert set(by_subject) == {
        "SLA breached on 4 targets",
        f"[{p1.number}] P1 not resolved after 4 hours",
    }
    listing = by_subject["SLA breached on 4 targets"]
    assert listing.to == ["manager@support.example"]
    for ticket in [*late, p1]:
        assert f'{ticket.number} "{ticket.subject}"' in listing.body
        assert f"/tickets/{ticket.pk}/" in listing.body
    assert "ongoing update 1 was due at Tue 17 Nov 2026 07:05 EET" in listing.body
    assert len(TicketEvent.objects.filter(kind=TicketEvent.Kind.SLA_BREACHED)) == 5


def test_a_business_hours_warning_is_held_until_the_office_opens(org_a, engineers, sweep):
    # P3 initial response: one business day (8.5 h); 80 % of it is used at 16:30 sharp,
    # the instant the office closes.
    ticket = _file(org_a.contact, org_a.prod, "P3", local(*TUESDAY, 9, 42))
    assert target(ticket, "initial_response").warn_at == local(*TUESDAY, 16, 30)

    for when in (local(*TUESDAY, 16, 30), local(*TUESDAY, 22, 0), local(2026, 11, 18, 7, 59)):
        assert sweep(now=when).warned == 0, when
    assert mail.outbox == []

    assert sweep(now=local(2026, 11, 18, 8, 0)).warned == 1
    assert "due Wed 18 Nov 2026 09:42" in mail.outbox[0].subject
    assert sweep(now=local(2026, 11, 18, 8, 1)).warned == 0
    assert len(mail.outbox) == 1


def test_a_held_business_warning_does_not_hold_back_a_24_7_warning(org_a, engineers, sweep):
    _file(org_a.contact, org_a.prod, "P3", local(*TUESDAY, 9, 42), subject="Slow reports")
    urgent = _file(org_a.contact, org_a.prod, "P1", local(*TUESDAY, 22, 0), subject="Down")

    # Both warnings are due; only the P1 one may go out at night, even in a batch of one.
    result = sweep(now=local(*TUESDAY, 22, 50), batch_size=1)

    assert result.warned == 1
    assert [m.subject.split(" ")[0] for m in mail.outbox] == [f"[{urgent.number}]"]


def test_the_first_sweep_after_a_missed_tick_catches_up(org_a, engineers, manager, sweep):
    ticket = _file(org_a.contact, org_a.prod, "P1", local(*TUESDAY, 10, 0))
    assert sweep(now=local(*TUESDAY, 10, 40)).warned == 0
    # Beat is down from 10:41 to 10:51: the 10:48 warning goes out with the next sweep.
    assert sweep(now=local(*TUESDAY, 10, 52)).warned == 1
    # Down again from 10:53 to 11:03: the 11:00 breach is recorded when it comes back.
    result = sweep(now=local(*TUESDAY, 11, 4))
    assert result.breached == 1
    assert target(ticket, "initial_response").breached_at == local(*TUESDAY, 11, 0)
    assert len(_mails("SLA warning")) == 1
    assert len(_mails("SLA breached")) == 1


def test_after_a_long_gap_only_the_breach_is_sent_not_a_stale_warning(
    org_a, engineers, manager, sweep
):
    ticket = _file(org_a.contact, org_a.prod, "P1", local(*TUESDAY, 10, 0))

    result = sweep(now=local(*TUESDAY, 11, 10))

    assert (result.warned, result.breached) == (0, 1)
    assert _events(ticket, TicketEvent.Kind.SLA_WARNING) == []
    assert len(_events(ticket, TicketEvent.Kind.SLA_BREACHED)) == 1


def test_a_new_deadline_gets_its_own_warning(org_a, engineers, manager, sweep):
    ticket = _file(org_a.contact, org_a.prod, "P2", local(*TUESDAY, 10, 0))
    assert sweep(now=local(*TUESDAY, 13, 15)).warned == 1  # 80 % of 4 h
    # Reclassified: the initial response is measured again from 13:20 with P1's 60 minutes.
    services.ticket_reclassify(
        ticket=ticket,
        actor=engineers["L1"],
        priority="P1",
        reason="All queues are down.",
        version=ticket.version,
        now=local(*TUESDAY, 13, 20),
    )

    assert sweep(now=local(*TUESDAY, 14, 7)).warned == 0
    assert sweep(now=local(*TUESDAY, 14, 8)).warned == 1  # 80 % of the new 60 minutes
    warned = [e.data["due_at"] for e in _events(ticket, TicketEvent.Kind.SLA_WARNING)]
    assert warned == [
        local(*TUESDAY, 14, 0).astimezone(UTC).isoformat(),
        local(*TUESDAY, 14, 20).astimezone(UTC).isoformat(),
    ]


def test_met_paused_and_finished_targets_are_left_alone(org_a, engineers, manager, sweep):
    answered = _file(org_a.contact, org_a.prod, "P1", local(*TUESDAY, 10, 0), subject="Answered")
    services.ticket_reply(
        ticket=answered, author=engineers["L1"], body="On it.", now=local(*TUESDAY, 10, 10)
    )
    waiting = _file(org_a.contact, org_a.prod, "P2", local(*TUESDAY, 10, 0), subject="Waiting")
    services.ticket_wait_for_customer(
        ticket=waiting,
        actor=engineers["L1"],
        message="Which queue?",
        version=waiting.version,
        now=local(*TUESDAY, 10, 5),
    )
    withdrawn = _file(org_a.contact, org_a.prod, "P1", local(*TUESDAY, 10, 0), subject="Gone")
    services.ticket_withdraw(
        ticket=withdrawn, actor=org_a.contact, version=withdrawn.version, now=local(*TUESDAY, 10, 1)
    )

    # By 10:59 the answered ticket's next update (due 11:10) is only at its warning point, the
    # waiting ticket's update clock is paused and the withdrawn ticket owes nothing.
    result = sweep(now=local(*TUESDAY, 10, 59))

    assert (result.warned, result.breached) == (1, 0)
    (event,) = TicketEvent.objects.filter(kind=TicketEvent.Kind.SLA_WARNING)
    assert (event.ticket_id, event.data["target"]) == (answered.pk, "Ongoing update 1")


def test_a_rolled_back_sweep_sends_and_records_nothing(
    org_a, engineers, manager, django_capture_on_commit_callbacks
):
    _file(org_a.contact, org_a.prod, "P1", local(*TUESDAY, 10, 0))

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assert sla_sweep(now=local(*TUESDAY, 11, 1)).breached == 1
        raise RuntimeError("rolled back")

    assert callbacks == []
    assert mail.outbox == []
    assert not TicketEvent.objects.filter(kind=TicketEvent.Kind.SLA_BREACHED).exists()
    assert Ticket.objects.get().targets.filter(state="breached").count() == 0


def test_the_sweep_reads_only_due_rows(org_a, engineers, manager, sweep):
    def file_many(count, when, priority):
        for n in range(count):
            _file(org_a.contact, org_a.prod, priority, when, subject=f"{priority} {n}")

    file_many(3, local(*TUESDAY, 10, 0), "P1")  # warnings due 10:48
    file_many(5, local(*TUESDAY, 10, 0), "P3")  # not due for days
    sweep(now=local(*TUESDAY, 10, 0))  # warm the calendar cache

    with CaptureQueriesContext(connection) as few:
        first = sweep(now=local(*TUESDAY, 10, 50))

    file_many(6, local(*TUESDAY, 10, 5), "P1")  # warnings due 10:53; twice as many
    file_many(60, local(*TUESDAY, 10, 0), "P4")  # many more that are not due
    with CaptureQueriesContext(connection) as many:
        second = sweep(now=local(*TUESDAY, 10, 55))

    assert (first.warned, second.warned) == (3, 6)
    assert len(many.captured_queries) == len(few.captured_queries)
    target_reads = [
        q["sql"]
        for q in many.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "tickets_tickettarget"' in q["sql"]
    ]
    # Every read of the targets table is either bounded by a deadline or by ids already claimed.
    for sql in target_reads:
        assert '"warn_at" <=' in sql or '"due_at" <' in sql or '"id" IN (' in sql, sql


def test_the_sweep_refuses_a_naive_now(db):
    with pytest.raises(ValueError, match="aware"):
        sla_sweep(now=datetime(2026, 11, 17, 10, 0))

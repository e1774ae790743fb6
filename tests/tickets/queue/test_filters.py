"""Every queue filter through HTTP, each with tickets that should and should not appear."""

import pytest

from tests.factories import UserFactory
from tickets import services
from tickets.models import Ticket

from .queue_helpers import (
    NOW,
    assigned,
    escalated,
    open_ticket,
    overdue_ticket,
    queue_url,
    row_ids,
    start_queue_test,
    waiting,
)


@pytest.fixture(autouse=True)
def _now(clock):
    start_queue_test(clock)


@pytest.fixture
def l1(client, engineers):
    client.force_login(engineers["L1"])
    return engineers["L1"]


def ids(client, **params) -> set[int]:
    return set(row_ids(client.get(queue_url(**params))))


def test_level_shows_only_tickets_at_that_level(client, org_a, engineers, l1):
    at_l1 = open_ticket(org_a)
    at_l2 = escalated(open_ticket(org_a), engineers, "L2")
    at_l3 = escalated(open_ticket(org_a), engineers, "L3")
    assert ids(client, level="L2") == {at_l2.pk}
    assert ids(client, level="L1") == {at_l1.pk}
    assert ids(client, level="") == {at_l1.pk, at_l2.pk, at_l3.pk}


def test_priority_takes_one_or_several_priorities(client, org_a, l1):
    p1 = open_ticket(org_a, priority="P1")
    p2 = open_ticket(org_a, priority="P2")
    p3 = open_ticket(org_a, priority="P3")
    request = open_ticket(org_a, kind=Ticket.Kind.SERVICE_REQUEST)
    assert ids(client, priority="P1") == {p1.pk}
    assert ids(client, priority=["P1", "P2"]) == {p1.pk, p2.pk}
    assert ids(client, level="") == {p1.pk, p2.pk, p3.pk, request.pk}


def test_status_picks_open_statuses(client, org_a, l1):
    new = open_ticket(org_a)
    asked = waiting(open_ticket(org_a), l1)
    assert ids(client, status="waiting") == {asked.pk}
    assert ids(client, status="new") == {new.pk}
    assert ids(client, status=["new", "waiting"]) == {new.pk, asked.pk}


def test_the_queue_never_lists_finished_tickets(client, org_a, l1):
    still_open = open_ticket(org_a)
    done = open_ticket(org_a)
    services.ticket_resolve(
        ticket=done,
        actor=l1,
        resolution_type="resolution",
        summary="Restarted the login service.",
        version=done.version,
        now=NOW,
    )
    assert Ticket.objects.get(pk=done.pk).status == Ticket.Status.RESOLVED
    assert ids(client) == {still_open.pk}
    assert ids(client, status="resolved") == set()


def test_an_unknown_status_is_refused_with_a_message(client, org_a, l1):
    open_ticket(org_a)
    response = client.get(queue_url(status="closed"))
    assert row_ids(response) == []
    assert b"Select a valid choice" in response.content


def test_kind_separates_incidents_from_service_requests(client, org_a, l1):
    incident = open_ticket(org_a)
    request = open_ticket(org_a, kind=Ticket.Kind.SERVICE_REQUEST)
    assert ids(client, kind="service_request") == {request.pk}
    assert ids(client, kind="incident") == {incident.pk}


def test_organisation_shows_one_customers_tickets(client, org_a, org_b, l1):
    ours, theirs = open_ticket(org_a), open_ticket(org_b)
    assert ids(client, organisation=org_b.org.pk) == {theirs.pk}
    assert ids(client, organisation=org_a.org.pk) == {ours.pk}


def test_tenant_kind_separates_production_from_test(client, org_a, l1):
    production = open_ticket(org_a)
    test = open_ticket(org_a, tenant=org_a.test, priority="P4")
    assert ids(client, tenant_kind="test") == {test.pk}
    assert ids(client, tenant_kind="production") == {production.pk}


def test_the_tenant_column_shows_a_production_or_test_badge(client, org_a, l1):
    open_ticket(org_a, tenant=org_a.test, priority="P4")
    body = client.get(queue_url()).content.decode()
    assert 'alpha-test <span class="badge badge-test">Test</span>' in body
    assert "badge-production" not in body


def test_assignee_me_unassigned_and_anyone(client, org_a, engineers, l1):
    mine = assigned(open_ticket(org_a), l1)
    nobodys = open_ticket(org_a)
    other_engineer = UserFactory(email="second-l1@support.example", support_level="L1")
    other_engineer.groups.set(l1.groups.all())
    theirs = assigned(open_ticket(org_a), other_engineer)
    assert ids(client, assignee="me") == {mine.pk}
    assert ids(client, assignee="unassigned") == {nobodys.pk}
    assert ids(client, assignee="") == {mine.pk, nobodys.pk, theirs.pk}


def test_breached_means_an_outstanding_deadline_has_passed(client, org_a, l1):
    late = overdue_ticket(org_a)
    on_time = open_ticket(org_a, priority="P1")
    # Breached once, answered since: its history says breached, but nothing is overdue now.
    answered = overdue_ticket(org_a)
    services.ticket_reply(ticket=answered, author=l1, body="Looking into it.", now=NOW)
    answered.refresh_from_db()
    assert answered.sla_breached and answered.next_due_at > NOW
    assert ids(client, breached="yes") == {late.pk}
    assert ids(client, breached="no") == {on_time.pk, answered.pk}


def test_a_waiting_ticket_with_paused_clocks_is_not_breached(client, org_a, l1):
    paused = waiting(open_ticket(org_a), l1)
    paused.refresh_from_db()
    assert paused.next_due_at is None
    assert ids(client, breached="yes") == set()
    assert ids(client, breached="no") == {paused.pk}


def test_due_within_hours_lists_tickets_not_yet_breached_that_fall_due_in_time(client, org_a, l1):
    in_an_hour = open_ticket(org_a, priority="P1")  # initial response due 11:00
    in_four_hours = open_ticket(org_a, priority="P2")  # initial response due 14:00
    overdue_ticket(org_a)
    tomorrow = open_ticket(org_a, priority="P3")  # one business day
    assert ids(client, due_within=2) == {in_an_hour.pk}
    assert ids(client, due_within=4) == {in_an_hour.pk, in_four_hours.pk}
    assert tomorrow.pk not in ids(client, due_within=4)


@pytest.mark.parametrize("hours", ["0", "-3", "abc", "100000"])
def test_a_bad_due_within_shows_the_error_and_no_tickets(client, org_a, l1, hours):
    open_ticket(org_a, priority="P1")
    response = client.get(queue_url(due_within=hours))
    assert row_ids(response) == []
    assert b'class="error"' in response.content


def test_search_matches_subject_and_reference_id_case_insensitively(client, org_a, l1):
    by_subject = open_ticket(org_a, subject="Calls drop after 30 seconds")
    by_reference = open_ticket(org_a, subject="Queue stuck", reference_id="CONV-7781-XZ")
    other = open_ticket(org_a, subject="Chat widget does not load")
    assert ids(client, q="calls DROP") == {by_subject.pk}
    assert ids(client, q="conv-7781") == {by_reference.pk}
    assert ids(client, q="  ") == {by_subject.pk, by_reference.pk, other.pk}


def test_filters_combine(client, org_a, org_b, engineers, l1):
    wanted = open_ticket(org_b, priority="P1", subject="Recording missing")
    open_ticket(org_a, priority="P1", subject="Recording missing")
    open_ticket(org_b, priority="P3", subject="Recording missing")
    assert ids(client, organisation=org_b.org.pk, priority="P1", q="recording") == {wanted.pk}


def test_the_filter_form_keeps_what_was_chosen(client, org_a, org_b, l1):
    body = client.get(
        queue_url(
            q="login", priority="P2", due_within=3, organisation=org_b.org.pk, kind="incident"
        )
    ).content.decode()
    assert 'value="login"' in body
    assert 'value="P2" id="id_priority_1" checked' in body
    assert 'name="due_within" value="3"' in body
    assert f'<option value="{org_b.org.pk}" selected>Beta</option>' in body
    assert f'<option value="{org_a.org.pk}">Alpha</option>' in body
    assert '<option value="incident" selected>Incident</option>' in body
    assert body.count(" selected>") == 3  # organisation, kind, and the page size

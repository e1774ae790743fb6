"""The queue's order: most urgent deadline first (breached first), then priority; columns sort."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tickets.models import Ticket

from .queue_helpers import (
    NOW,
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


def test_breached_first_then_the_earliest_deadline_and_paused_tickets_last(client, org_a, l1):
    p3 = open_ticket(org_a, priority="P3")  # due tomorrow 10:00
    paused = waiting(open_ticket(org_a, priority="P1"), l1)
    p2 = open_ticket(org_a, priority="P2")  # due 14:00
    very_late = open_ticket(org_a, priority="P1", at=NOW - timedelta(hours=5))
    p1 = open_ticket(org_a, priority="P1")  # due 11:00
    late = overdue_ticket(org_a)
    paused.refresh_from_db()
    assert paused.next_due_at is None
    assert row_ids(client.get(reverse("queue:list"))) == [
        very_late.pk,
        late.pk,
        p1.pk,
        p2.pk,
        p3.pk,
        paused.pk,
    ]


def test_on_the_same_deadline_the_higher_priority_comes_first(client, org_a, l1):
    low = open_ticket(org_a, priority="P4")
    high = open_ticket(org_a, priority="P2")
    same = NOW + timedelta(hours=3)
    Ticket.objects.filter(pk__in=[low.pk, high.pk]).update(next_due_at=same)
    assert row_ids(client.get(reverse("queue:list"))) == [high.pk, low.pk]


def test_the_deadline_column_says_how_late_or_how_soon(client, org_a, l1):
    overdue_ticket(org_a)
    open_ticket(org_a, priority="P2")
    body = client.get(reverse("queue:list")).content.decode()
    assert "breached 1 h ago" in body
    assert "due in 4 h" in body


def test_sorting_by_the_deadline_descending_reverses_the_order(client, org_a, l1):
    late = overdue_ticket(org_a)
    soon = open_ticket(org_a, priority="P1")
    later = open_ticket(org_a, priority="P3")
    assert row_ids(client.get(queue_url(sort="-due"))) == [later.pk, soon.pk, late.pk]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("priority", ["p1", "p2", "p4"]),
        ("-priority", ["p4", "p2", "p1"]),
        ("subject", ["p2", "p4", "p1"]),
        ("number", ["p4", "p1", "p2"]),
        ("-updated_at", ["p2", "p4", "p1"]),
    ],
)
def test_columns_sort(client, org_a, l1, sort, expected):
    tickets = {
        "p4": open_ticket(org_a, priority="P4", subject="Report export fails"),
        "p1": open_ticket(
            org_a, priority="P1", subject="WhatsApp down", at=NOW - timedelta(minutes=30)
        ),
        "p2": open_ticket(org_a, priority="P2", subject="Callback requests lost"),
    }
    assert row_ids(client.get(queue_url(sort=sort))) == [tickets[name].pk for name in expected]


def test_pages_follow_the_order_without_overlap(client, org_a, l1):
    made = [open_ticket(org_a, priority="P3") for _ in range(23)]
    Ticket.objects.filter(pk__in=[t.pk for t in made]).update(next_due_at=NOW)
    first = row_ids(client.get(queue_url(per_page=10)))
    second = row_ids(client.get(queue_url(per_page=10, page=2)))
    third = row_ids(client.get(queue_url(per_page=10, page=3)))
    assert first + second + third == sorted(t.pk for t in made)


def test_the_page_links_forward_without_knowing_the_total(client, org_a, l1):
    for _ in range(12):
        open_ticket(org_a)
    first = client.get(queue_url(per_page=10)).content.decode()
    assert "page=2" in first
    last = client.get(queue_url(per_page=10, page=2)).content.decode()
    assert 'class="next"' not in last
    assert len(row_ids(client.get(queue_url(per_page=10, page=2)))) == 2


def test_a_page_size_outside_the_offered_range_is_held_to_it(client, org_a, l1):
    for _ in range(12):
        open_ticket(org_a)
    assert len(row_ids(client.get(queue_url(per_page=100000)))) == 12
    assert len(row_ids(client.get(queue_url(per_page=1)))) == 10


def test_the_filter_form_keeps_a_chosen_sort_but_not_the_default(client, org_a, l1):
    open_ticket(org_a)
    sorted_body = client.get(queue_url(sort="-priority")).content.decode()
    assert '<input type="hidden" name="sort" value="-priority">' in sorted_body
    default_body = client.get(queue_url()).content.decode()
    assert 'type="hidden" name="sort"' not in default_body

"""Breached and at-risk counts in the navigation of support staff."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from .queue_helpers import (
    NOW,
    escalated,
    open_ticket,
    overdue_ticket,
    row_ids,
    start_queue_test,
    waiting,
)

COUNTS = re.compile(
    r'<a class="count[^"]*" href="(/queue/\?[^"]+)"[^>]*>(\d+) overdue</a>'
    r'.*?<a class="count[^"]*" href="(/queue/\?[^"]+)"[^>]*>(\d+) at risk</a>',
    re.S,
)


@pytest.fixture(autouse=True)
def _now(clock):
    start_queue_test(clock)


def nav_counts(client) -> tuple[int, int, str, str]:
    """(breached, at risk, breached link, at-risk link) from the home page's navigation."""
    match = COUNTS.search(client.get(reverse("home")).content.decode())
    assert match, "no queue counts in the navigation"
    breached_link, breached, at_risk_link, at_risk = match.groups()
    return int(breached), int(at_risk), breached_link.replace("&amp;", "&"), at_risk_link


@pytest.fixture
def scene(org_a, org_b, engineers):
    return {
        "l1_late": [overdue_ticket(org_a), overdue_ticket(org_b)],
        "l1_soon": [open_ticket(org_a, priority="P1")],  # due 11:00
        "l1_later": [open_ticket(org_a, priority="P2")],  # due 14:00: not at risk yet
        "l1_paused": [waiting(overdue_ticket(org_a), engineers["L1"])],  # answered, paused
        "l2_late": [escalated(overdue_ticket(org_b), engineers, "L2")],
        "l2_soon": [
            escalated(
                open_ticket(org_a, priority="P1", at=NOW - timedelta(minutes=30)), engineers, "L2"
            )
        ],
    }


def test_an_engineer_sees_the_counts_of_their_level(client, scene, engineers):
    client.force_login(engineers["L1"])
    breached, at_risk, breached_link, _ = nav_counts(client)
    assert (breached, at_risk) == (2, 1)
    assert sorted(row_ids(client.get(breached_link))) == sorted(t.pk for t in scene["l1_late"])
    client.force_login(engineers["L2"])
    assert nav_counts(client)[:2] == (1, 1)


def test_the_count_links_open_the_matching_queue(client, scene, engineers):
    client.force_login(engineers["L2"])
    _, _, breached_link, at_risk_link = nav_counts(client)
    assert row_ids(client.get(breached_link)) == [scene["l2_late"][0].pk]
    assert row_ids(client.get(at_risk_link.replace("&amp;", "&"))) == [scene["l2_soon"][0].pk]


def test_a_manager_sees_the_counts_of_all_levels(client, scene, manager):
    client.force_login(manager)
    assert nav_counts(client)[:2] == (3, 2)


def test_the_counts_move_with_the_clock(client, scene, engineers, clock):
    client.force_login(engineers["L1"])
    clock.to(NOW + timedelta(hours=1, minutes=1))
    # 11:01: the P1 filed at 10:00 is now late too; the P2 due 14:00 is not yet at risk.
    assert nav_counts(client)[:2] == (3, 0)
    clock.to(NOW + timedelta(hours=2, minutes=30))
    assert nav_counts(client)[:2] == (3, 1)


def test_a_customer_has_no_counts(client, scene, org_a):
    client.force_login(org_a.contact)
    body = client.get(reverse("home")).content.decode()
    assert "queue-nav-counts" not in body
    assert "at risk" not in body

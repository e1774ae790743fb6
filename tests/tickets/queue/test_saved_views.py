"""Saved views: one click from the queue page, each listing the right tickets; the queue opens
at the engineer's own level."""

import pytest
from django.urls import reverse

from tickets.models import Ticket

from .queue_helpers import (
    assigned,
    escalated,
    open_ticket,
    overdue_ticket,
    row_ids,
    saved_view_links,
    start_queue_test,
    waiting,
)


@pytest.fixture(autouse=True)
def _now(clock):
    start_queue_test(clock)


def follow(client, label: str) -> list[int]:
    """Open the queue, click the saved view called ``label`` and return its rows."""
    links = saved_view_links(client.get(reverse("queue:list")))
    return row_ids(client.get(f"{reverse('queue:list')}?{links[label]}"))


@pytest.fixture
def scene(org_a, org_b, engineers):
    """A queue with something for every saved view, at L2 and elsewhere."""
    l2 = engineers["L2"]
    at_l2 = lambda ticket: escalated(ticket, engineers, "L2")  # noqa: E731
    return {
        "l2_mine": assigned(at_l2(open_ticket(org_a, priority="P3")), l2),
        "l2_unassigned_p1": at_l2(open_ticket(org_a, priority="P1")),
        "l2_unassigned_p2": at_l2(open_ticket(org_b, priority="P2")),
        "l2_unassigned_p3": at_l2(open_ticket(org_a, priority="P3")),
        "l2_assigned_p1": assigned(at_l2(open_ticket(org_b, priority="P1")), l2),
        "l2_overdue": at_l2(overdue_ticket(org_a)),
        "l2_waiting": waiting(at_l2(open_ticket(org_a, priority="P4")), l2),
        "l1_unassigned_p1": open_ticket(org_a, priority="P1"),
        "l1_overdue": overdue_ticket(org_b),
        "l1_waiting": waiting(open_ticket(org_b), engineers["L1"]),
        "l3_p2": escalated(open_ticket(org_a, priority="P2"), engineers, "L3"),
    }


def pks(scene, *names) -> set[int]:
    return {scene[name].pk for name in names}


def test_an_engineer_is_offered_every_saved_view(client, engineers):
    client.force_login(engineers["L2"])
    links = saved_view_links(client.get(reverse("queue:list")))
    assert list(links) == [
        "My level (L2)",
        "My tickets",
        "Unassigned P1/P2",
        "Breaching within 2 hours",
        "Breached",
        "Waiting for customer",
        "All levels",
    ]


def test_the_queue_opens_at_the_engineers_level(client, scene, engineers):
    client.force_login(engineers["L2"])
    shown = set(row_ids(client.get(reverse("queue:list"))))
    assert shown == {t.pk for name, t in scene.items() if name.startswith("l2_")}
    body = client.get(reverse("queue:list")).content.decode()
    assert '<option value="L2" selected>' in body
    assert '<a href="?level=L2" aria-current="page">My level (L2)</a>' in body


def test_paging_or_sorting_keeps_the_default_level(client, scene, engineers):
    client.force_login(engineers["L2"])
    shown = set(row_ids(client.get(f"{reverse('queue:list')}?sort=priority&per_page=50")))
    assert shown == {t.pk for name, t in scene.items() if name.startswith("l2_")}


def test_my_tickets(client, scene, engineers):
    client.force_login(engineers["L2"])
    assert set(follow(client, "My tickets")) == pks(scene, "l2_mine", "l2_assigned_p1")


def test_my_level(client, scene, engineers):
    client.force_login(engineers["L1"])
    assert set(follow(client, "My level (L1)")) == pks(
        scene, "l1_unassigned_p1", "l1_overdue", "l1_waiting"
    )


def test_unassigned_p1_p2_at_my_level(client, scene, engineers):
    client.force_login(engineers["L2"])
    assert set(follow(client, "Unassigned P1/P2")) == pks(
        scene, "l2_unassigned_p1", "l2_unassigned_p2", "l2_overdue"
    )


def test_breaching_within_two_hours_at_my_level(client, scene, engineers):
    client.force_login(engineers["L2"])
    # The P1 filed at 10:00 owes its first response at 11:00; the overdue one is already late
    # and the P2 has four hours.
    assert set(follow(client, "Breaching within 2 hours")) == pks(
        scene, "l2_unassigned_p1", "l2_assigned_p1"
    )


def test_breached_at_my_level(client, scene, engineers):
    client.force_login(engineers["L1"])
    assert set(follow(client, "Breached")) == pks(scene, "l1_overdue")


def test_waiting_for_customer_at_my_level(client, scene, engineers):
    client.force_login(engineers["L2"])
    assert set(follow(client, "Waiting for customer")) == pks(scene, "l2_waiting")


def test_all_levels(client, scene, engineers):
    client.force_login(engineers["L2"])
    assert set(follow(client, "All levels")) == {t.pk for t in scene.values()}


def test_a_manager_opens_the_whole_queue_and_the_views_span_all_levels(client, scene, manager):
    client.force_login(manager)
    links = saved_view_links(client.get(reverse("queue:list")))
    assert "My level (L2)" not in links and "My tickets" not in links
    assert set(follow(client, "All open tickets")) == {t.pk for t in scene.values()}
    assert set(follow(client, "Unassigned P1/P2")) == pks(
        scene,
        "l2_unassigned_p1",
        "l2_unassigned_p2",
        "l2_overdue",
        "l1_unassigned_p1",
        "l1_overdue",
        "l3_p2",
    )
    assert set(follow(client, "Waiting for customer")) == pks(scene, "l2_waiting", "l1_waiting")
    assert set(follow(client, "Breached")) == pks(scene, "l2_overdue", "l1_overdue")


def test_the_current_saved_view_is_marked(client, scene, engineers):
    client.force_login(engineers["L2"])
    body = client.get(f"{reverse('queue:list')}?assignee=me").content.decode()
    assert '<a href="?assignee=me" aria-current="page">My tickets</a>' in body
    saved = body[body.index('<ul class="saved-views">') :]
    saved = saved[: saved.index("</ul>")]
    assert saved.count('aria-current="page"') == 1
    assert Ticket.objects.filter(assignee=engineers["L2"]).count() == 2

"""Who may open the engineer queue: support staff only."""

import pytest
from django.urls import reverse

from .queue_helpers import open_ticket, queue_url, row_ids, start_queue_test


@pytest.fixture(autouse=True)
def _now(clock):
    start_queue_test(clock)


def test_a_customer_contact_gets_403(client, org_a):
    open_ticket(org_a)
    client.force_login(org_a.contact)
    response = client.get(reverse("queue:list"))
    assert response.status_code == 403
    assert b"Agents cannot log in" not in response.content


def test_a_customer_admin_gets_403_for_the_csv_export_too(client, org_a):
    open_ticket(org_a)
    client.force_login(org_a.admin)
    response = client.get(queue_url(_export="csv"))
    assert response.status_code == 403
    assert b"Agents cannot log in" not in response.content


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("queue:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_engineer_sees_open_tickets_of_every_organisation(client, org_a, org_b, engineers):
    ours, theirs = open_ticket(org_a), open_ticket(org_b)
    client.force_login(engineers["L1"])
    assert set(row_ids(client.get(reverse("queue:list")))) == {ours.pk, theirs.pk}


def test_a_manager_may_open_the_queue(client, org_a, manager):
    ticket = open_ticket(org_a)
    client.force_login(manager)
    assert row_ids(client.get(reverse("queue:list"))) == [ticket.pk]


def test_a_customer_sees_no_queue_link_and_staff_do(client, org_a, engineers):
    client.force_login(org_a.contact)
    assert reverse("queue:list").encode() not in client.get(reverse("home")).content
    client.force_login(engineers["L2"])
    assert f'href="{reverse("queue:list")}"'.encode() in client.get(reverse("home")).content

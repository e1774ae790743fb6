"""A monitoring tool that times out and retries at once: two requests with the same
Idempotency-Key racing on the real database file one ticket, and both get its answer."""

import threading

import pytest
from django.db import connection

from tickets.models import Ticket

from .conftest import client_with, issue_key


@pytest.mark.django_db(transaction=True)
def test_two_racing_requests_with_one_idempotency_key_file_one_ticket(org_a):
    _, secret = issue_key(org_a.contact, by=org_a.admin)
    barrier = threading.Barrier(2)
    answers = []

    def post():
        try:
            client = client_with(secret)
            barrier.wait()
            response = client.post(
                "/api/v1/tickets/",
                {"tenant": "alpha-prod", "subject": "Race", "description": "Twice at once."},
                format="json",
                HTTP_IDEMPOTENCY_KEY="race-1",
            )
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    ticket = Ticket.objects.get()
    assert answers == [(201, ticket.pk), (201, ticket.pk)]

"""What a busy hour costs the database: the ticket pages and writes that ``bench/load.py`` repeats
run a small, fixed number of queries, whatever the ticket holds."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tickets.models import Ticket

from .helpers import act, file_ticket

# Each number counts the session, the signed-in person (with their organisation), and, for
# support staff, their authenticator and permissions; writes also count the savepoint and its
# release that a test's own transaction adds. Before the ticket was filed with the rows it had
# already read and its save lost its inner savepoint: filing 28, a reply 21.
CUSTOMER_LIST = 5
CUSTOMER_TICKET_PAGE = 7
ENGINEER_TICKET_PAGE = 9
FILE_TICKET = 17
FIRST_REPLY = 22  # also assigns the ticket and meets the initial response
REPLY = 19


def _count(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code in (200, 302), response.status_code
    return len(queries)


def test_the_busy_hours_pages_and_writes_run_a_bounded_number_of_queries(client, org_a, engineers):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P2")  # the calendar and policy are read once
    ticket = Ticket.objects.get()
    assert _count(lambda: file_ticket(client, org_a.prod, priority="P2")) <= FILE_TICKET
    page = reverse("tickets:detail", args=[ticket.pk])
    client.get(page)
    assert _count(lambda: client.get(reverse("tickets:list"))) <= CUSTOMER_LIST
    assert _count(lambda: client.get(page)) <= CUSTOMER_TICKET_PAGE

    client.force_login(engineers["L1"])
    client.get(page)
    assert _count(lambda: act(client, ticket, "reply", body="On it")) <= FIRST_REPLY
    counts = []
    for n in range(3):  # a longer conversation costs no more queries
        body = f"Looking {n}"
        assert _count(lambda body=body: act(client, ticket, "reply", body=body)) <= REPLY
        counts.append(_count(lambda: client.get(page)))
    assert max(counts) <= ENGINEER_TICKET_PAGE
    assert len(set(counts)) == 1, counts

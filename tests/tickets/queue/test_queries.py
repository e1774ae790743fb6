"""The queue runs a small, constant number of queries, whatever the page size or the number of
tickets, and never counts the whole queue to paginate it."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets.models import Ticket

from .queue_helpers import add_tickets, queue_url, row_ids, start_queue_test

MAX_QUERIES = 8
PAGE_SIZES = (10, 50, 100)


@pytest.fixture(autouse=True)
def _now(clock):
    start_queue_test(clock)


def measure(client, **params) -> tuple[int, list[str], int]:
    """(query count, SQL, rows shown) of one queue page, with nothing cached yet."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(queue_url(**params))
    return len(queries), [q["sql"] for q in queries.captured_queries], len(row_ids(response))


FILTERED = [
    {},
    {"level": ""},
    {"assignee": "unassigned", "priority": ["P1", "P2"]},
    {"breached": "yes"},
    {"due_within": "2"},
    {"status": "waiting", "q": "bulk"},
    {"tenant_kind": "test", "kind": "incident", "assignee": "me"},
]


def test_query_count_is_the_same_for_10_and_10000_tickets_and_every_page_size(
    client, org_a, engineers, django_assert_max_num_queries
):
    engineer = engineers["L1"]
    client.force_login(engineer)
    counts: dict[tuple[str, int, int], int] = {}

    def measure_all(volume: int) -> None:
        for params in FILTERED:
            label = "&".join(params) or "default"
            for size in PAGE_SIZES:
                with django_assert_max_num_queries(MAX_QUERIES):
                    counts[label, volume, size], sql, shown = measure(
                        client, per_page=size, **params
                    )
                assert not [q for q in sql if "COUNT(*)" in q.upper()], (label, "COUNT(*)")
                if not params:
                    assert shown == min(size, volume)

    add_tickets(org_a, 10, engineer=engineer)
    measure_all(10)
    add_tickets(org_a, 9_990, engineer=engineer, start=10)
    assert Ticket.objects.filter(organisation=org_a.org).count() == 10_000
    measure_all(10_000)
    for params in FILTERED:
        label = "&".join(params) or "default"
        per_label = {n for (name, _, _), n in counts.items() if name == label}
        assert len(per_label) == 1, (label, counts)
    assert len(set(counts.values())) == 1, counts


def test_a_later_page_costs_the_same_as_the_first(client, org_a, engineers):
    client.force_login(engineers["L1"])
    add_tickets(org_a, 500, engineer=engineers["L1"])
    first, _, shown_first = measure(client, per_page=50)
    later, _, shown_later = measure(client, per_page=50, page=5)
    assert (first, shown_first) == (later, shown_later) == (first, 50)


def test_the_organisation_filter_adds_no_query_per_row(client, org_a, org_b, engineers):
    client.force_login(engineers["L1"])
    add_tickets(org_a, 10, engineer=engineers["L1"])
    small, _, _ = measure(client, organisation=org_a.org.pk, per_page=10)
    add_tickets(org_a, 990, engineer=engineers["L1"], start=10)
    large, _, shown = measure(client, organisation=org_a.org.pk, per_page=100)
    assert shown == 100
    assert small == large <= MAX_QUERIES


def test_later_visits_reuse_the_counts_and_the_organisation_list(client, org_a, engineers):
    client.force_login(engineers["L1"])
    add_tickets(org_a, 30, engineer=engineers["L1"])
    first, first_sql, _ = measure(client)
    with CaptureQueriesContext(connection) as again:
        assert len(row_ids(client.get(queue_url()))) == 25
    later_sql = [q["sql"] for q in again.captured_queries]
    assert len(later_sql) == first - 2
    organisations = 'SELECT "tenants_organisation"'
    assert [q for q in first_sql if q.startswith(organisations)]
    assert not [q for q in later_sql if q.startswith(organisations)]
    assert not [q for q in later_sql if "COUNT(" in q.upper()]

"""On PostgreSQL the queue's queries read tickets through indexes, never by a sequential scan
of the tickets table: checked with EXPLAIN on the SQL the pages really run, over enough rows
(mostly finished tickets, as in a real portal) and fresh statistics."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .queue_helpers import add_tickets, queue_url, row_ids, start_queue_test

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="reads PostgreSQL's EXPLAIN output; CI runs it against PostgreSQL",
)

PAGES = [
    {},
    {"level": ""},
    {"level": "L2", "per_page": 100},
    {"assignee": "me"},
    {"assignee": "unassigned", "priority": ["P1", "P2"]},
    {"breached": "yes"},
    {"due_within": "2"},
    {"status": "waiting"},
    {"level": "", "status": "waiting"},
    {"level": "", "kind": "service_request"},
    {"level": "", "q": "BULK-0123"},
    {"sort": "-due"},
]


@pytest.fixture(autouse=True)
def _now(clock):
    start_queue_test(clock)


@pytest.fixture
def many_tickets(org_a, engineers):
    add_tickets(
        org_a, 20_000, engineer=engineers["L1"], levels=("L1", "L2", "L3", "L4"), open_every=5
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")


def ticket_queries(client, params) -> list[str]:
    cache.clear()  # so that the navigation's counts are read too
    with CaptureQueriesContext(connection) as captured:
        response = client.get(queue_url(**params))
    assert row_ids(response), params
    return [q["sql"] for q in captured.captured_queries if '"tickets_ticket"' in q["sql"]]


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_no_page_scans_the_tickets_table(client, engineers, many_tickets):
    client.force_login(engineers["L1"])
    scans = {}
    for params in PAGES:
        queries = ticket_queries(client, params)
        assert len(queries) == 2, params  # the page and the navigation's counts
        for sql in queries:
            explained = plan(sql)
            if "Seq Scan on tickets_ticket" in explained or "Index" not in explained:
                scans["&".join(params) or "default"] = explained
    assert scans == {}


def test_the_default_page_reads_its_order_straight_off_an_index(
    client, engineers, manager, many_tickets
):
    for user in (engineers["L1"], manager):
        client.force_login(user)
        page_sql = next(q for q in ticket_queries(client, {}) if "LIMIT" in q)
        explained = plan(page_sql)
        # An incremental sort only orders ties within the index's order; a full sort would
        # have read every matching ticket first.
        nodes = [line.strip().removeprefix("->").strip() for line in explained.splitlines()]
        assert not [node for node in nodes if node.startswith("Sort  (")], explained
        assert "Index Scan using ticket_open_" in explained, explained

"""The queue table draws its rows in one pass; django-tables2's own template draws the same
cells, escaped the same way."""

import re
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django_tables2 import RequestConfig

from tickets.queue.selectors import queue_tickets
from tickets.queue.tables import QueueTable, ago

from .queue_helpers import NOW, open_ticket, overdue_ticket, start_queue_test


@pytest.fixture(autouse=True)
def _now(clock):
    start_queue_test(clock)


def cells(html: str) -> list[str]:
    return [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]


def test_both_templates_draw_the_same_cells(org_a, engineers):
    overdue_ticket(org_a, subject="<script>alert('x')</script> & co")
    open_ticket(org_a, priority="P3")
    request = RequestFactory().get("/queue/")
    request.user = engineers["L1"]
    fast = QueueTable(queue_tickets(engineers["L1"]), user=engineers["L1"], now=NOW)
    generic = QueueTable(
        queue_tickets(engineers["L1"]),
        user=engineers["L1"],
        now=NOW,
        template_name="django_tables2/table.html",
    )
    for table in (fast, generic):
        RequestConfig(request, paginate=False).configure(table)
    fast_cells, generic_cells = cells(fast.as_html(request)), cells(generic.as_html(request))
    assert len(fast_cells) == 2 * 11
    # The take forms carry a fresh CSRF mask each time; everything else is identical.
    mask = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert [mask.sub("", c) for c in fast_cells] == [mask.sub("", c) for c in generic_cells]
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in fast_cells[4]
    assert "<script>" not in fast.as_html(request)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "just now"),
        (1, "1 min ago"),
        (59, "59 min ago"),
        (60, "1 h ago"),
        (47 * 60, "47 h ago"),
        (48 * 60, "2 d ago"),
    ],
)
def test_last_update_reads_as_a_rough_age(minutes, text):
    assert ago(NOW - timedelta(minutes=minutes), NOW) == text

"""The ticket list: its rows are drawn in one pass from the table's cell methods, escaped, with
page links that keep the filters; its CSV carries the words of the page without markup."""

import csv
import io
import re

from django.test import RequestFactory
from django.urls import reverse
from django_tables2 import RequestConfig

from tickets.models import Ticket
from tickets.selectors import tickets_for_user
from tickets.tables import CustomerTicketTable

from .queue.queue_helpers import open_ticket

HOSTILE = "<script>alert('x')</script> & co"


def cells(html: str) -> list[str]:
    return [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]


def test_both_templates_draw_the_same_cells(org_a):
    open_ticket(org_a, subject=HOSTILE, priority="P2")
    open_ticket(org_a, kind="service_request", subject="New queue")
    request = RequestFactory().get("/tickets/")
    request.user = org_a.contact
    fast = CustomerTicketTable(tickets_for_user(org_a.contact))
    generic = CustomerTicketTable(
        tickets_for_user(org_a.contact), template_name="django_tables2/table.html"
    )
    for table in (fast, generic):
        RequestConfig(request, paginate=False).configure(table)
    fast_html = fast.as_html(request)
    assert len(cells(fast_html)) == 2 * 8
    assert cells(fast_html) == cells(generic.as_html(request))
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in fast_html
    assert "<script>" not in fast_html
    # A phone shows each value beside its column's name.
    assert '<td data-label="Priority"><span class="badge badge-P2">P2 – high</span></td>' in (
        fast_html
    )


def test_the_csv_carries_the_priority_in_words_without_markup(client, org_a):
    open_ticket(org_a, priority="P2")
    open_ticket(org_a, kind="service_request")
    client.force_login(org_a.contact)
    response = client.get(reverse("tickets:list"), {"_export": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted(row["Priority"] for row in rows) == ["", "P2 – high"]
    assert all("<" not in value for row in rows for value in row.values())
    assert {row["Ticket"] for row in rows} == {t.number for t in Ticket.objects.all()}


def test_page_links_keep_the_filters_and_sorting_starts_again_at_page_one(client, org_a):
    for n in range(27):
        open_ticket(org_a, subject=f"Ticket {n:02}")
    client.force_login(org_a.contact)
    page = client.get(reverse("tickets:list"), {"page": 2, "kind": "incident", "per_page": 10})
    body = page.content.decode()
    assert page.status_code == 200
    assert len(re.findall(r"<tr><td", body)) == 10
    nav = re.search(r'<nav aria-label="Pages">(.*?)</nav>', body, re.S).group(1)
    assert '<li class="active"><span aria-current="page">2</span></li>' in nav
    links = re.findall(r'href="\?([^"]+)"', nav)
    assert links == [
        "page=1&amp;kind=incident&amp;per_page=10",  # previous
        "page=1&amp;kind=incident&amp;per_page=10",
        "page=3&amp;kind=incident&amp;per_page=10",
        "page=3&amp;kind=incident&amp;per_page=10",  # next
    ]
    header = re.search(r"<thead>(.*?)</thead>", body, re.S).group(1)
    assert '<a href="?kind=incident&amp;per_page=10&amp;sort=subject">Subject</a>' in header


def test_an_organisation_without_tickets_is_told_how_to_file_one(client, org_a):
    client.force_login(org_a.contact)
    body = client.get(reverse("tickets:list")).content.decode()
    assert "No tickets match." in body
    assert '<nav aria-label="Pages">' not in body

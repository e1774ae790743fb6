"""The report pages: who may read them, their figures, their CSV, their query counts."""

import csv
import io
import re
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from .conftest import REPORT_NOW

OCTOBER = "?period=2026-10"


@pytest.fixture
def at_report_time():
    with time_machine.travel(REPORT_NOW, tick=False):
        yield


def _cells(html: str, table_class: str = "report-table") -> list[list[str]]:
    """The text of each body row of the first table with ``table_class``."""
    table = re.search(rf'<table[^>]*class="[^"]*{table_class}[^"]*".*?</table>', html, re.S)
    assert table, "no report table on the page"
    body = re.search(r"<tbody.*?</tbody>", table.group(0), re.S).group(0)
    rows = []
    for row in re.findall(r"<tr.*?</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return rows


def _warm(client, url: str) -> None:
    """One request first: the vendor's calendar and the navigation's counts are cached for
    every page, so the counted request is what a page costs in use."""
    assert client.get(url).status_code == 200


def _csv(response) -> list[list[str]]:
    text = (
        b"".join(response.streaming_content).decode()
        if response.streaming
        else response.content.decode()
    )
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("name", ["reports:sla", "reports:breaches", "reports:trend"])
def test_only_support_managers_read_the_sla_reports(client, org_a, engineers, name):
    url = reverse(name)
    assert client.get(url).status_code == 302  # to sign-in
    client.force_login(org_a.admin)
    assert client.get(url).status_code == 403
    client.force_login(engineers["L2"])
    assert client.get(url).status_code == 403


def test_the_summary_shows_octobers_figures_and_its_csv_holds_the_same(
    client, manager, october, at_report_time, django_assert_max_num_queries
):
    client.force_login(manager)
    _warm(client, reverse("reports:sla") + OCTOBER)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("reports:sla") + OCTOBER)
    assert page.status_code == 200
    html = page.content.decode()
    assert "SLA compliance, October 2026" in html
    assert "57.9 %" in html
    rows = _cells(html)
    p3_ir = next(r for r in rows if r[:2] == ["P3", "Initial response"])
    assert p3_ir == [
        "P3",
        "Initial response",
        "Business hours",
        "5",
        "3",
        "2",
        "0",
        "0",
        "60.0 %",
        "95.0 % missed",
        "2 h",
        "11 h 36 min",
    ]
    exported = _csv(client.get(reverse("reports:sla") + OCTOBER + "&format=csv"))
    assert exported[1:] == rows


def test_a_missed_figure_links_to_its_breaches_and_back(client, manager, october, at_report_time):
    client.force_login(manager)
    html = client.get(reverse("reports:sla") + OCTOBER).content.decode()
    link = re.search(r'href="([^"]*breaches/[^"]*priority=P3&amp;kind=initial_response)"', html)
    assert link
    breaches = client.get(unescape(link.group(1)))
    rows = _cells(breaches.content.decode())
    assert len(rows) == 2  # T2 met late, T5 before its reclassification
    assert {r[7] for r in rows} == {"4 h 30 min", "1 h"}
    assert "Back to the summary" in breaches.content.decode()


def test_the_breach_list_lists_every_missed_target_of_the_period(
    client, manager, october, at_report_time, django_assert_max_num_queries
):
    client.force_login(manager)
    _warm(client, reverse("reports:breaches") + OCTOBER)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("reports:breaches") + OCTOBER)
    rows = _cells(page.content.decode())
    assert len(rows) == 8
    still_open = [r for r in rows if r[6] == "still open"]
    assert len(still_open) == 4 and all(r[7].endswith("so far") for r in still_open)
    delivery = next(r for r in rows if r[4] == "Delivery")
    assert delivery[7] == "8 h 30 min"  # a business day late
    exported = _csv(client.get(reverse("reports:breaches") + OCTOBER + "&format=csv"))
    assert len(exported) == 9
    assert sorted(r[7] for r in exported[1:]) == sorted(r[7] for r in rows)


def test_drill_down_by_organisation_worst_first_then_into_one(
    client, manager, october, org_a, org_b, at_report_time, django_assert_max_num_queries
):
    client.force_login(manager)
    _warm(client, reverse("reports:by", args=["organisation"]) + OCTOBER)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("reports:by", args=["organisation"]) + OCTOBER)
    rows = _cells(page.content.decode())
    assert rows == [["Beta", "1", "1", "1", "50.0 %"], ["Alpha", "10", "7", "3", "58.8 %"]]
    link = re.search(rf'href="([^"]*organisation={org_a.org.pk}[^"]*)"', page.content.decode())
    narrowed = client.get(unescape(link.group(1))).content.decode()
    assert "Narrowed to Alpha" in narrowed
    assert "58.8 %" in narrowed


def test_a_long_drill_down_is_paged_and_its_csv_holds_every_line(
    client, manager, october, at_report_time, monkeypatch
):
    monkeypatch.setattr("reports.views.ROWS_PER_PAGE", 1)
    client.force_login(manager)
    url = reverse("reports:by", args=["organisation"]) + OCTOBER
    first = client.get(url).content.decode()
    second = client.get(url + "&page=2").content.decode()
    assert [row[0] for row in _cells(first)] == ["Beta"]
    assert [row[0] for row in _cells(second)] == ["Alpha"]
    assert "page=2" in first
    exported = _csv(client.get(url + "&format=csv"))
    assert [row[0] for row in exported[1:]] == ["Beta", "Alpha"]


def test_the_trend_draws_twelve_months_with_a_table_beside_the_chart(
    client, manager, october, at_report_time, django_assert_max_num_queries
):
    client.force_login(manager)
    _warm(client, reverse("reports:trend"))
    with django_assert_max_num_queries(10):
        page = client.get(reverse("reports:trend"))
    html = page.content.decode()
    assert html.count("<svg") == 2 and 'role="img"' in html
    rows = _cells(html)
    assert len(rows) == 12
    october_row = rows[-1]
    assert october_row[0] == "October 2026"
    assert october_row[1:] == [
        "100.0 % (4 of 4)",
        "50.0 % (6 of 12)",
        "50.0 % (1 of 2)",
        "0.0 % (0 of 1)",
        "57.9 %",
        "9",
    ]
    assert rows[-2][-1] == "1"  # T1, filed on 30 September


def test_bad_parameters_get_a_clear_message_not_an_error(client, manager, october):
    client.force_login(manager)
    for query in (
        "?period=2026-13",
        "?period=abc",
        "?period=1999-01",
        "?start=2026-01-01",
        "?organisation=999999999",
        "?start=2026-03-01&end=2026-01-01",
    ):
        response = client.get(reverse("reports:sla") + query)
        assert response.status_code == 400, query
        assert (
            'class="error' in response.content.decode()
            or "errorlist-box" in response.content.decode()
        )
    assert client.get(reverse("reports:by", args=["planet"])).status_code == 404


def test_a_customer_reads_their_own_promises_in_words(
    client, october, org_a, org_b, at_report_time, django_assert_max_num_queries
):
    client.force_login(org_a.contact)
    _warm(client, reverse("reports:customer"))
    with django_assert_max_num_queries(10):
        page = client.get(reverse("reports:customer") + f"?organisation={org_b.org.pk}")
    html = unescape(page.content.decode())
    assert "We answered 50.0 % of your P3 incidents within one business day (2 of 4)." in html
    assert "We answered 100.0 % of your P2 incidents within 4 hours (2 of 2)." in html
    assert (
        "We delivered 0.0 % of your minor service requests within three business days (0 of 1)."
        in html
    )
    # Beta's T8 is not among Alpha's figures, whatever the query string asks for.
    assert "(3 of 5)" not in html
    client.force_login(org_b.contact)
    beta = unescape(client.get(reverse("reports:customer")).content.decode())
    assert "We answered 100.0 % of your P3 incidents within one business day (1 of 1)." in beta
    assert "P2 incidents" not in beta


def test_support_staff_use_the_managers_reports_not_the_customer_summary(client, engineers):
    client.force_login(engineers["L1"])
    assert client.get(reverse("reports:customer")).status_code == 403

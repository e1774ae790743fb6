"""CSV export of the current filtered queue, every page of it."""

import csv
import io

import pytest

from .queue_helpers import open_ticket, overdue_ticket, queue_url, start_queue_test


@pytest.fixture(autouse=True)
def _now(clock):
    start_queue_test(clock)


def exported(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_export_is_the_filtered_queue_across_all_pages(client, org_a, org_b, engineers):
    wanted = [open_ticket(org_b, priority="P2") for _ in range(12)]
    open_ticket(org_a, priority="P2")
    client.force_login(engineers["L1"])
    rows = exported(
        client.get(queue_url(organisation=org_b.org.pk, per_page=10, page=2, _export="csv"))
    )
    assert sorted(int(row["Ticket"]) for row in rows) == sorted(t.pk for t in wanted)
    assert {row["Organisation"] for row in rows} == {"Beta"}


def test_the_export_has_plain_values_and_no_buttons(client, org_a, engineers):
    late = overdue_ticket(org_a, reference_id="CONV-1")
    client.force_login(engineers["L1"])
    response = client.get(queue_url(_export="csv"))
    assert "attachment" in response["Content-Disposition"]
    assert ".csv" in response["Content-Disposition"]
    [row] = exported(response)
    assert row == {
        "Ticket": str(late.pk),
        "Priority": "P1",
        "Organisation": "Alpha",
        "Tenant": "alpha-prod (Production)",
        "Subject": "Agents cannot log in",
        "Level": "L1",
        "Status": "New",
        "Assignee": "",
        "Next SLA deadline": "2026-03-10T09:00:00+02:00",
        "Last update": "2026-03-10T08:00:00+02:00",
    }
    assert b"csrfmiddlewaretoken" not in response.content


def test_the_page_links_the_export_of_what_it_shows(client, org_a, engineers):
    client.force_login(engineers["L1"])
    body = client.get(queue_url(priority="P1", page=2)).content.decode()
    assert 'href="?priority=P1&amp;_export=csv"' in body


@pytest.mark.parametrize("subject", ['=HYPERLINK("http://x.example")', "+1", "-1+1", "@A1"])
def test_a_subject_that_starts_a_formula_reaches_the_spreadsheet_as_text(
    client, org_a, engineers, subject
):
    open_ticket(org_a, subject=subject)
    client.force_login(engineers["L1"])
    [row] = exported(client.get(queue_url(_export="csv")))
    assert row["Subject"] == "'" + subject


@pytest.mark.parametrize("export_format", ["xlsx", "json", "ods", "yaml", "latex", "xls", "\x00"])
def test_an_export_format_that_is_not_offered_shows_the_page(
    client, org_a, engineers, export_format
):
    open_ticket(org_a)
    client.force_login(engineers["L1"])
    response = client.get(queue_url(_export=export_format))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "attachment" not in response.get("Content-Disposition", "")


def test_a_customer_exports_their_organisations_tickets_as_safe_csv(client, org_a, org_b):
    from audit.models import AuditAction, AuditEvent

    mine = open_ticket(org_a, subject="=1+1")
    open_ticket(org_b, subject="Other organisation")
    client.force_login(org_a.contact)
    response = client.get("/tickets/", {"_export": "csv", "per_page": "1"})
    rows = exported(response)
    assert [(row["Ticket"], row["Subject"]) for row in rows] == [(f"#{mine.pk}", "'=1+1")]
    assert AuditEvent.objects.get(action=AuditAction.EXPORT).actor == org_a.contact
    assert client.get("/tickets/", {"_export": "xlsx"})["Content-Type"].startswith("text/html")

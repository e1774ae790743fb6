"""One ticket's whole life in a real browser, each step saved as a screenshot
(``var/screenshots/journey-NN-*.png``, kept by CI as artifacts).

A customer contact tries a P1 on a test tenant and is told why not, then files a P1 on
production with a screenshot attached; an L1 engineer finds it at the top of the queue,
answers and escalates it to L2; L2 asks the customer a question; the customer answers; L2,
later than the next update was due, resolves it with a workaround; the customer confirms; a
manager sees the ticket counted in the month's SLA report and its late update in the breach
list.

The clock is fixed at Tuesday 9 March 2027, 10:00 in Helsinki, and moves on by itself (and by
90 minutes before L2 resolves), so that the report's month and the missed update are certain.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tickets import services
from tickets.models import Ticket, TicketTarget

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START = datetime(2027, 3, 9, 8, 0, tzinfo=UTC)  # 10:00 in Helsinki


class Journey:
    """Numbered screenshots of the steps."""

    def __init__(self) -> None:
        self.step = 0

    def shot(self, page, name: str) -> None:
        self.step += 1
        page.wait_for_load_state("load")
        screenshot(page, f"journey-{self.step:02d}-{name}")


def _act(page, action: str, fields: dict[str, str] | None = None, select=None) -> None:
    """Open the action's panel on the ticket page, fill it and send it."""
    panel = page.locator(f"#action-{action}")
    if panel.evaluate("el => el.tagName") == "DETAILS" and not panel.evaluate("el => el.open"):
        panel.locator("summary").click()
    for label, value in (fields or {}).items():
        panel.get_by_label(label).fill(value)
    for label, value in (select or {}).items():
        panel.get_by_label(label).select_option(value)
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state("load")


def test_a_p1_from_filing_to_the_managers_report(browser, live_server, org_a, engineers, manager):
    journey = Journey()
    with time_machine.travel(START, tick=True) as clock:
        # Other open work, so that "at the top of the queue" means something.
        for priority, subject in (("P3", "Report export is slow"), ("P2", "Some calls drop")):
            services.ticket_create(
                submitter=org_a.admin,
                tenant_id=org_a.prod.pk,
                kind="incident",
                priority=priority,
                subject=subject,
                description="Filed earlier.",
            )

        customer = browser.new_page()
        sign_in(customer, live_server, org_a.contact.email)
        journey.shot(customer, "customer-home")

        # A P1 on a test tenant: the page says why not before anything is sent.
        customer.goto(f"{live_server.url}/tickets/new/")
        customer.wait_for_load_state("load")
        customer.get_by_label("Affected tenant").select_option(label="alpha-prod (production)")
        customer.get_by_label("Priority (incidents)").select_option("P1")
        customer.get_by_label("Affected tenant").select_option(label="alpha-test (test)")
        notice = customer.locator("#id_priority_notice")
        assert "P1 is reserved for incidents on production tenants" in notice.inner_text()
        customer.get_by_label("Subject").fill("Inbound calls fail")
        customer.get_by_label("Description").fill("No inbound call reaches an agent since 09:40.")
        journey.shot(customer, "p1-on-a-test-tenant-explained")
        customer.get_by_role("button", name="Submit ticket").click()
        customer.wait_for_load_state("load")
        assert "P1 is reserved" in customer.locator("#id_priority_error").inner_text()
        assert not Ticket.objects.filter(subject="Inbound calls fail").exists()
        journey.shot(customer, "p1-on-a-test-tenant-refused")

        # The same P1 on production, with a screenshot attached.
        customer.get_by_label("Affected tenant").select_option(label="alpha-prod (production)")
        customer.get_by_label("Priority (incidents)").select_option("P1")
        customer.get_by_label("Attachments").set_input_files(
            [
                {
                    "name": "dialler-error.png",
                    "mimeType": "image/png",
                    "buffer": customer.screenshot(),
                }
            ]
        )
        customer.get_by_role("button", name="Submit ticket").click()
        customer.wait_for_url("**/tickets/*/")
        ticket = Ticket.objects.get(subject="Inbound calls fail")
        assert (ticket.priority, ticket.tenant, ticket.level) == ("P1", org_a.prod, "L1")
        assert ticket.attachments.get().original_name == "dialler-error.png"
        assert "dialler-error.png" in customer.content()
        journey.shot(customer, "p1-filed-with-a-screenshot")

        # L1: the P1 leads the queue; answer it and escalate it to L2.
        l1 = browser.new_page()
        sign_in(l1, live_server, engineers["L1"].email)
        l1.goto(f"{live_server.url}/queue/")
        rows = l1.locator("#queue-results tr[data-ticket]")
        assert rows.first.get_attribute("data-ticket") == str(ticket.pk)
        assert rows.count() == 3
        journey.shot(l1, "l1-queue-p1-on-top")
        rows.first.locator(f"a[href$='/tickets/{ticket.pk}/']").first.click()
        l1.wait_for_url(f"**/tickets/{ticket.pk}/**")
        _act(
            l1, "reply", {"Public reply to the customer": "We are on it: checking the SIP trunks."}
        )
        journey.shot(l1, "l1-answered")
        _act(l1, "escalate", {"Reason": "The trunk provider's side needs L2."})
        ticket.refresh_from_db()
        assert ticket.level == "L2"
        journey.shot(l1, "l1-escalated-to-l2")

        # L2 asks the customer for something; the clock waits.
        l2 = browser.new_page()
        sign_in(l2, live_server, engineers["L2"].email)
        l2.goto(f"{live_server.url}/tickets/{ticket.pk}/")
        _act(
            l2,
            "wait_for_customer",
            {"What do you need from the customer?": "Which number did the failing calls dial?"},
        )
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.WAITING
        journey.shot(l2, "l2-waits-for-the-customer")

        # The customer sees the question first and answers it.
        customer.goto(f"{live_server.url}/tickets/{ticket.pk}/")
        assert (
            customer.locator("#next-heading").inner_text() == "Support is waiting for your answer"
        )
        journey.shot(customer, "customer-sees-the-question")
        customer.locator("textarea").first.fill("They all dialled +358 9 123 4567.")
        customer.get_by_role("button", name="Send your answer").click()
        customer.wait_for_load_state("load")
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.IN_PROGRESS
        journey.shot(customer, "customer-answered")

        # L2 comes back 90 minutes later, after the next update was due, with a workaround.
        clock.shift(timedelta(minutes=90))
        l2.goto(f"{live_server.url}/tickets/{ticket.pk}/")
        _act(
            l2,
            "resolve",
            {"Summary for the customer": "Route the number through the backup trunk for now."},
            select={"Resolved with": "workaround"},
        )
        ticket.refresh_from_db()
        assert (ticket.status, ticket.resolution_type) == ("resolved", "workaround")
        journey.shot(l2, "l2-resolved-with-a-workaround")

        # The customer confirms with one click.
        customer.goto(f"{live_server.url}/tickets/{ticket.pk}/")
        customer.get_by_role("button", name="Yes, it is solved: close the ticket").click()
        customer.wait_for_load_state("load")
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.CLOSED
        journey.shot(customer, "customer-confirmed")

        # The manager: the month's compliance counts the ticket; the breach list names it.
        targets = TicketTarget.objects.filter(ticket=ticket)
        assert targets.get(kind="initial_response").state == "met"
        missed = targets.filter(kind="ongoing_update", state="breached")
        assert missed.count() == 1
        boss = browser.new_page()
        sign_in(boss, live_server, manager.email)
        boss.goto(f"{live_server.url}/reports/sla/?period=2027-03")
        table = boss.locator("table.report-table").first
        headers = [h.strip() for h in table.locator("thead th").all_text_contents()]
        rows = [
            dict(
                zip(
                    headers, (c.strip() for c in row.locator("td").all_text_contents()), strict=True
                )
            )
            for row in table.locator("tbody tr").all()
        ]
        p1 = {row["Target"]: row for row in rows if row["Priority"].startswith("P1")}
        assert (p1["Initial response"]["Met"], p1["Initial response"]["Missed"]) == ("1", "0")
        assert (p1["Ongoing update"]["Met"], p1["Ongoing update"]["Missed"]) == ("1", "1")
        assert (p1["Resolution"]["Met"], p1["Resolution"]["Missed"]) == ("1", "0")
        journey.shot(boss, "manager-sla-report")
        boss.goto(f"{live_server.url}/reports/sla/breaches/?period=2027-03")
        listed = boss.locator(f"a[href$='/tickets/{ticket.pk}/']")
        assert listed.count() >= 1
        journey.shot(boss, "manager-breach-list")
        for page in (customer, l1, l2, boss):
            page.context.close()

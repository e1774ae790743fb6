"""The ticket page as each side reads it: a conversation with the customer's next step on top,
plain words about deadlines for customers, one-click take and the contact's details for
support, the description once, and a back link to the list the ticket was opened from."""

import re

from django.urls import reverse

from tickets import services

from .conftest import local
from .helpers import act


def _ticket(org, **fields):
    return services.ticket_create(
        submitter=org.contact,
        tenant_id=org.prod.pk,
        kind="incident",
        priority=fields.pop("priority", "P3"),
        subject="Reports are empty",
        description="The daily report has no rows since Monday.",
        **fields,
    )


def _page(client, ticket) -> str:
    return client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()


def _section(page: str, ident: str) -> str:
    start = page.index(f'id="{ident}"')
    return page[start : page.index("</section>", start)]


def test_supports_question_is_a_message_and_the_answer_form_is_open_on_top(
    client, org_a, engineers
):
    ticket = _ticket(org_a)
    services.ticket_reply(ticket=ticket, author=engineers["L1"], body="Checking.")
    ticket.refresh_from_db()
    services.ticket_wait_for_customer(
        ticket=ticket,
        actor=engineers["L1"],
        message="Which report: daily or weekly?",
        version=ticket.version,
    )
    client.force_login(org_a.contact)
    page = _page(client, ticket)
    step = _section(page, "next-step")
    assert "Support is waiting for your answer" in step
    assert "Which report: daily or weekly?" in step
    assert f'action="/tickets/{ticket.pk}/do/customer_reply/"' in step
    assert "<details" not in step
    assert "Engineer L1 (support) asked you" in page
    assert act(client, ticket, "customer_reply", body="The daily one.").status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"


def test_a_resolution_is_confirmed_with_one_click(client, org_a, engineers):
    ticket = _ticket(org_a)
    services.ticket_resolve(
        ticket=ticket,
        actor=engineers["L1"],
        resolution_type="workaround",
        summary="Run the report from the archive view until the fix ships.",
        version=ticket.version,
    )
    client.force_login(org_a.contact)
    step = _section(_page(client, ticket), "next-step")
    assert "Is the problem solved?" in step
    assert "Run the report from the archive view" in step
    assert "resolved the ticket with a workaround" in step
    confirm = re.search(r'<form[^>]+id="action-confirm".*?</form>', step, re.S).group(0)
    # One click: nothing to fill in, only the ticket's version.
    assert re.findall(r'<(?:input|textarea|select)[^>]*name="([^"]+)"', confirm) == [
        "csrfmiddlewaretoken",
        "confirm-version",
    ]
    assert "What is still wrong?" in step


def test_customers_read_deadlines_in_plain_words(client, org_a, engineers, clock):
    clock.to(local(2026, 11, 23, 10, 0))  # a Monday
    ticket = _ticket(org_a)
    services.ticket_reply(ticket=ticket, author=engineers["L1"], body="On it.")
    ticket.refresh_from_db()
    services.ticket_wait_for_customer(
        ticket=ticket, actor=engineers["L1"], message="Logs?", version=ticket.version
    )
    client.force_login(org_a.contact)
    box = _section(_page(client, ticket), "service-level")
    assert "First answer" in box and "on time" in box
    assert "Next update from support" in box
    assert "paused while support waits for your answer" in box
    for jargon in ("Ongoing update", "ORT", "Pending", "Paused"):
        assert jargon not in box
    client.force_login(engineers["L1"])
    staff_box = _section(_page(client, ticket), "service-level")
    assert "Update 1" in staff_box and "Paused" in staff_box


def test_business_hours_are_shown_in_the_readers_zone_too(client, org_a, clock):
    clock.to(local(2026, 11, 23, 10, 0))
    ticket = _ticket(org_a)
    contact = org_a.contact
    contact.time_zone = "America/Los_Angeles"
    contact.save()
    client.force_login(contact)
    box = _section(_page(client, ticket), "service-level")
    assert "Monday to Friday 08:00–16:30 (Europe/Helsinki)" in box
    assert "Sunday to Thursday 22:00–06:30 the next day (America/Los_Angeles)" in box


def test_support_takes_with_one_click_and_sees_how_to_reach_the_contact(client, org_a, engineers):
    org_a.contact.phone = "+358 40 123 4567"
    org_a.contact.save()
    ticket = _ticket(org_a, priority="P1")
    client.force_login(engineers["L1"])
    page = _page(client, ticket)
    take = re.search(r'<form[^>]+id="action-take".*?</form>', page, re.S).group(0)
    assert "Take this ticket" in take
    assert f'href="mailto:{org_a.contact.email}"' in page
    assert 'href="tel:+358 40 123 4567"' in page
    # The description once: not again as the first entry of the conversation.
    assert page.count("The daily report has no rows since Monday.") == 1
    assert act(client, ticket, "take").status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == engineers["L1"]
    client.force_login(org_a.admin)
    assert "mailto:" not in _page(client, ticket)


def test_back_returns_to_the_queue_view_the_ticket_was_opened_from(client, org_a, engineers):
    ticket = _ticket(org_a)
    client.force_login(engineers["L1"])
    default = _page(client, ticket)
    assert '<a href="/queue/">← Back to the queue</a>' in default
    client.get(reverse("queue:list"), {"priority": "P3", "assignee": "unassigned"})
    page = _page(client, ticket)
    assert '<a href="/queue/?priority=P3&amp;assignee=unassigned">← Back to the queue</a>' in page
    # An action's redirect back to the page keeps it.
    act(client, ticket, "note", body="Checked the report job.")
    assert "/queue/?priority=P3&amp;assignee=unassigned" in _page(client, ticket)
    client.get(reverse("tickets:list"))
    assert '<a href="/tickets/">← Back to the tickets</a>' in _page(client, ticket)


def test_a_forged_back_link_never_leaves_the_site(client, org_a):
    ticket = _ticket(org_a)
    client.force_login(org_a.contact)
    client.cookies["ticket_back"] = '{"url": "//evil.example/", "label": "queue"}'
    assert "evil.example" not in _page(client, ticket)

from django.core import mail

from tickets import services
from tickets.models import Ticket

from .helpers import act, file_ticket


def test_the_customer_is_mailed_on_a_public_reply_but_not_on_a_note(
    client, org_a, engineers, django_capture_on_commit_callbacks
):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P3")
    ticket = Ticket.objects.get()
    client.force_login(engineers["L1"])
    with django_capture_on_commit_callbacks(execute=True):
        act(client, ticket, "note", body="internal")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        act(client, ticket, "reply", body="We found the cause.")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [org_a.contact.email]
    assert f"[#{ticket.pk}]" in message.subject
    assert "We found the cause." in message.body
    assert f"/tickets/{ticket.pk}/" in message.body


def test_the_assignee_is_mailed_when_the_customer_replies(
    client, org_a, engineers, manager, django_capture_on_commit_callbacks
):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P3")
    ticket = Ticket.objects.get()
    services.ticket_assign(
        ticket=ticket, actor=manager, assignee=engineers["L1"], version=ticket.version
    )
    with django_capture_on_commit_callbacks(execute=True):
        act(client, ticket, "customer_reply", body="More detail: only queue Sales.")
    assert [m.to for m in mail.outbox] == [[engineers["L1"].email]]
    assert "only queue Sales" in mail.outbox[0].body


def test_without_an_assignee_the_levels_engineers_are_mailed(
    client, org_a, engineers, django_capture_on_commit_callbacks
):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P3")
    ticket = Ticket.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        act(client, ticket, "customer_reply", body="Anyone?")
    assert [m.to for m in mail.outbox] == [[engineers["L1"].email]]


def test_nothing_is_mailed_when_the_change_is_refused(
    client, org_a, engineers, django_capture_on_commit_callbacks
):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P3")
    ticket = Ticket.objects.get()
    client.force_login(engineers["L1"])
    with django_capture_on_commit_callbacks(execute=True):
        act(client, ticket, "reply", body="")
    assert mail.outbox == []

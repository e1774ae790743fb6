from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tickets.models import Attachment, Ticket

from .helpers import act, file_ticket


def _ticket_with_log(client, org):
    client.force_login(org.contact)
    file_ticket(
        client,
        org.prod,
        priority="P3",
        attachments=SimpleUploadedFile("agent.log", b"ERROR login\n"),
    )
    return Ticket.objects.get(organisation=org.org)


def test_an_attachment_is_downloaded_through_the_access_check(client, org_a):
    ticket = _ticket_with_log(client, org_a)
    attachment = Attachment.objects.get()
    response = client.get(reverse("tickets:attachment", args=[ticket.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="agent.log"'
    assert b"".join(response.streaming_content) == b"ERROR login\n"


def test_another_organisation_gets_404_for_the_attachment(client, org_a, org_b):
    ticket = _ticket_with_log(client, org_a)
    attachment = Attachment.objects.get()
    client.force_login(org_b.admin)
    assert (
        client.get(reverse("tickets:attachment", args=[ticket.pk, attachment.pk])).status_code
        == 404
    )


def test_an_attachment_of_another_ticket_is_not_reachable_through_mine(client, org_a, org_b):
    theirs = _ticket_with_log(client, org_b)
    mine = _ticket_with_log(client, org_a)
    their_attachment = Attachment.objects.get(ticket=theirs)
    client.force_login(org_a.contact)
    assert (
        client.get(reverse("tickets:attachment", args=[mine.pk, their_attachment.pk])).status_code
        == 404
    )


def test_an_internal_attachment_is_hidden_from_the_customer(client, org_a, engineers):
    ticket = _ticket_with_log(client, org_a)
    client.force_login(engineers["L1"])
    act(
        client,
        ticket,
        "note",
        body="Our trace",
        attachments=SimpleUploadedFile("trace.txt", b"internal trace"),
    )
    internal = Attachment.objects.get(original_name="trace.txt")
    assert internal.public is False
    assert (
        client.get(reverse("tickets:attachment", args=[ticket.pk, internal.pk])).status_code == 200
    )
    client.force_login(org_a.contact)
    assert (
        client.get(reverse("tickets:attachment", args=[ticket.pk, internal.pk])).status_code == 404
    )


def test_a_customer_reply_with_a_bad_attachment_saves_nothing(client, org_a):
    ticket = _ticket_with_log(client, org_a)
    response = act(
        client,
        ticket,
        "customer_reply",
        body="Here is more",
        attachments=SimpleUploadedFile("x.exe", b"MZ\x90\x00binary"),
    )
    assert response.status_code == 400
    assert "is not a file type we accept" in response.content.decode()
    assert ticket.events.filter(kind="customer_reply").count() == 0
    assert Attachment.objects.count() == 1

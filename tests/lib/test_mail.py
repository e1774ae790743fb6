"""Every email is composed by ``lib.mail.compose``: one-line subjects, plain text unescaped."""

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from lib.mail import compose, mail_subject, render_text
from tickets import services
from tickets.models import Ticket

from ..tickets.helpers import act, file_ticket


@pytest.mark.parametrize(
    "subject",
    [
        "[#1] Outage\r\nBcc: victim@example.com",
        "[#1] Outage\nBcc: victim@example.com",
        "[#1] Outage\rBcc: victim@example.com",
        "[#1] Outage\u2028Bcc: victim@example.com",
        "[#1] Outage\x85Bcc: victim@example.com",
    ],
)
def test_a_line_break_in_a_subject_becomes_a_space_and_the_message_can_be_sent(subject):
    message = compose(
        subject=subject, template="tenants/email/welcome.txt", context={}, to=["a@x.example"]
    )
    assert message.subject == "[#1] Outage Bcc: victim@example.com"
    # Django refuses a header with a line break (BadHeaderError) when it builds the message.
    built = message.message()
    assert built["Subject"] == "[#1] Outage Bcc: victim@example.com"
    assert built["Bcc"] is None


def test_a_very_long_subject_is_cut_to_a_bounded_header():
    subject = mail_subject("x" * 5000)
    assert len(subject) == 250
    assert subject.endswith("…")


def test_plain_text_mail_is_not_html_escaped(org_a):
    org_a.contact.full_name = "Seán O'Brien <b>&</b>"
    message = compose(
        subject="Welcome",
        template="tenants/email/welcome.txt",
        context={"user": org_a.contact, "link": "https://portal.example/x?a=1&b=2"},
        to=[org_a.contact.email],
    )
    assert "Hello Seán O'Brien <b>&</b>," in message.body
    assert "https://portal.example/x?a=1&b=2" in message.body
    assert "&#x27;" not in message.body
    assert "&lt;" not in message.body and "&amp;" not in message.body


def test_html_pages_are_still_escaped(client, org_a):
    org_a.contact.full_name = "<script>alert(1)</script> O'Brien"
    org_a.contact.save()
    client.force_login(org_a.contact)
    body = client.get("/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Brien" in body
    assert "<script>alert(1)</script>" not in body


def test_only_plain_text_templates_are_rendered_for_mail():
    with pytest.raises(ValueError, match=r"\.txt"):
        render_text("tickets/ticket_detail.html", {})


def test_nobody_to_mail_composes_nothing():
    assert compose(subject="x", template="tenants/email/welcome.txt", context={}, to=[""]) is None


@pytest.mark.parametrize("subject", ["Line one\nBcc: x@evil.example", "a\rb", "a\u2028b"])
def test_a_ticket_subject_with_a_line_break_is_refused_and_nothing_is_saved(client, org_a, subject):
    client.force_login(org_a.contact)
    response = file_ticket(client, org_a.prod, subject=subject)
    assert response.status_code == 400
    assert "one line" in str(response.context["form"].errors["subject"])
    assert Ticket.objects.count() == 0


def test_mail_about_a_ticket_whose_stored_subject_has_a_line_break_still_goes_out(
    client, org_a, engineers, django_capture_on_commit_callbacks
):
    # Saved around the forms (admin, import, an older release): the mail must not be lost.
    ticket = services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="incident",
        priority="P3",
        subject="Calls drop\r\nafter 30 s",
        description="O'Brien's team <b>sees</b> it.",
    )
    client.force_login(engineers["L1"])
    with django_capture_on_commit_callbacks(execute=True):
        act(client, ticket, "reply", body="We found the cause: O'Brien's <b>trunk</b>.")
    [message] = mail.outbox
    assert isinstance(message, EmailMessage)
    assert message.subject == f"[#{ticket.pk}] Calls drop after 30 s"
    assert "We found the cause: O'Brien's <b>trunk</b>." in message.body
    message.message()  # builds without BadHeaderError

"""Forgotten passwords: the reset pages are open to anonymous visitors and end in a sign-in."""

import re

from django.core import mail
from django.urls import reverse

from tenants.demo import DEMO_PASSWORD


def _reset_path(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", body)
    assert match, body
    return match.group(1)


def test_the_reset_form_renders_without_signing_in(client, db):
    response = client.get(reverse("password_reset"))
    assert response.status_code == 200
    assert "Reset your password" in response.content.decode()


def test_a_contact_resets_a_forgotten_password_and_signs_in(
    client, org_a, django_capture_on_commit_callbacks
):
    # The email leaves through the outbox once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "Contact@Alpha.Example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert "Check your email" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["contact@alpha.example"]

    confirm = client.get(_reset_path(mail.outbox[0].body), follow=True)
    assert confirm.context["validlink"] is True
    response = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": "reset-long-secret-77", "new_password2": "reset-long-secret-77"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    assert "Password set" in client.get(response["Location"]).content.decode()

    org_a.contact.refresh_from_db()
    assert org_a.contact.check_password("reset-long-secret-77")
    signed_in = client.post(
        reverse("login"),
        {"username": "contact@alpha.example", "password": "reset-long-secret-77"},
    )
    assert signed_in["Location"] == reverse("home")


def test_a_used_link_cannot_be_used_again(client, org_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "contact@alpha.example"})
    path = _reset_path(mail.outbox[0].body)
    confirm = client.get(path, follow=True)
    client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": "reset-long-secret-77", "new_password2": "reset-long-secret-77"},
    )

    again = client.get(path, follow=True)
    assert again.context["validlink"] is False
    assert "This link has expired" in again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client, org_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("password_reset"), {"email": "nobody@alpha.example"})
    assert callbacks == []
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_deactivated_contact_gets_no_reset_email(
    client, org_a, django_capture_on_commit_callbacks
):
    org_a.contact.is_active = False
    org_a.contact.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("password_reset"), {"email": "contact@alpha.example"})
    assert callbacks == []
    assert mail.outbox == []
    org_a.contact.refresh_from_db()
    assert org_a.contact.check_password(DEMO_PASSWORD)

"""A customer admin adds a contact through the contact pages."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.urls import reverse

from tenants.models import ContactRole, User

NEW_CONTACT = {
    "full_name": "Dana Doe",
    "email": "dana@alpha.example",
    "phone": "+358 40 123 4567",
    "contact_role": ContactRole.CONTACT,
}


def _post(client, **changes):
    return client.post(reverse("tenants:contact_create"), {**NEW_CONTACT, **changes})


def test_the_form_renders_for_a_customer_admin(client, org_a):
    client.force_login(org_a.admin)
    response = client.get(reverse("tenants:contact_create"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="email"' in body and 'name="contact_role"' in body


def test_an_admin_adds_a_contact_to_their_own_organisation(
    client, org_a, django_capture_on_commit_callbacks
):
    client.force_login(org_a.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("tenants:contact_list")
    contact = User.objects.get(email="dana@alpha.example")
    assert contact.organisation == org_a.org
    assert contact.contact_role == ContactRole.CONTACT
    assert contact.full_name == "Dana Doe"
    assert contact.phone == "+358 40 123 4567"
    assert contact.is_active
    # Nobody knows a password yet: the person chooses one through the emailed link.
    assert not contact.has_usable_password()
    listing = client.get(response["Location"]).content.decode()
    assert "Dana Doe was added" in listing


def test_the_new_contact_gets_a_link_to_choose_a_password_and_can_sign_in(
    client, org_a, django_capture_on_commit_callbacks
):
    client.force_login(org_a.admin)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@alpha.example"]
    assert "Alpha" in message.body
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body)
    assert link, message.body

    client.logout()
    confirm = client.get(urlparse(link.group(0)).path, follow=True)
    assert confirm.status_code == 200
    assert confirm.context["validlink"] is True
    set_password_url = confirm.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": "a-long-fresh-secret-9", "new_password2": "a-long-fresh-secret-9"},
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")

    signed_in = client.post(
        reverse("login"), {"username": "dana@alpha.example", "password": "a-long-fresh-secret-9"}
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("home")


def test_no_email_is_sent_before_the_contact_is_committed(
    client, org_a, django_capture_on_commit_callbacks
):
    client.force_login(org_a.admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _post(client)
    assert mail.outbox == []
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    "email", ["contact@alpha.example", "CONTACT@Alpha.Example", "contact@beta.example"]
)
def test_a_duplicate_email_is_refused_whatever_its_case_or_organisation(
    client, org_a, org_b, email, django_capture_on_commit_callbacks
):
    client.force_login(org_a.admin)
    before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, email=email)

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "A user with this email address already exists."
    ]
    assert "A user with this email address already exists." in response.content.decode()
    assert User.objects.count() == before
    assert not User.objects.filter(full_name="Dana Doe").exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "This field is required."),
        ({"full_name": ""}, "full_name", "This field is required."),
        ({"contact_role": "boss"}, "contact_role", "Select a valid choice."),
        ({"phone": "1" * 41}, "phone", "Ensure this value has at most 40 characters"),
    ],
)
def test_invalid_input_gets_an_error_and_saves_nothing(
    client, org_a, changes, field, message, django_capture_on_commit_callbacks
):
    client.force_login(org_a.admin)
    before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, **changes)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    assert User.objects.count() == before
    assert mail.outbox == []


def test_the_new_contact_lands_in_the_admins_organisation_whatever_the_post_says(
    client, org_a, org_b
):
    client.force_login(org_a.admin)
    _post(client, organisation=org_b.org.pk)
    assert User.objects.get(email="dana@alpha.example").organisation == org_a.org

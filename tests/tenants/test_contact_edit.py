"""A customer admin edits a contact of their organisation."""

import pytest
from django.urls import reverse

from tenants.models import ContactRole


def _form(contact, **changes):
    data = {
        "full_name": contact.full_name,
        "email": contact.email,
        "phone": contact.phone,
        "contact_role": contact.contact_role,
    }
    return {**data, **changes}


def _edit_url(contact):
    return reverse("tenants:contact_edit", args=[contact.pk])


def _snapshot(user):
    user.refresh_from_db()
    return (user.full_name, user.email, user.phone, user.contact_role)


def test_the_form_shows_the_contacts_current_details(client, org_a):
    org_a.contact.phone = "+358 9 555"
    org_a.contact.save()
    client.force_login(org_a.admin)
    response = client.get(_edit_url(org_a.contact))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["email"].value() == "contact@alpha.example"
    assert form["phone"].value() == "+358 9 555"
    assert "Deactivate Alpha Contact" in response.content.decode()


def test_an_admin_changes_a_contacts_details(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(
        _edit_url(org_a.contact),
        _form(
            org_a.contact,
            full_name="Alpha Contact-Renamed",
            email="Renamed@Alpha.Example",
            phone="+358 40 1",
            contact_role=ContactRole.FINANCIAL,
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("tenants:contact_list")
    assert _snapshot(org_a.contact) == (
        "Alpha Contact-Renamed",
        "renamed@alpha.example",
        "+358 40 1",
        ContactRole.FINANCIAL,
    )
    listing = client.get(response["Location"]).content.decode()
    assert "Alpha Contact-Renamed was updated." in listing


def test_an_admin_may_keep_their_own_email_and_edit_themselves(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(_edit_url(org_a.admin), _form(org_a.admin, phone="+358 1"))
    assert response.status_code == 302
    org_a.admin.refresh_from_db()
    assert org_a.admin.phone == "+358 1"


@pytest.mark.parametrize(
    "email", ["admin@alpha.example", "ADMIN@ALPHA.EXAMPLE", "contact@beta.example"]
)
def test_changing_to_an_email_already_in_use_is_refused(client, org_a, org_b, email):
    client.force_login(org_a.admin)
    before = _snapshot(org_a.contact)
    response = client.post(_edit_url(org_a.contact), _form(org_a.contact, email=email))
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "A user with this email address already exists."
    ]
    assert _snapshot(org_a.contact) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "nope"}, "email"),
        ({"full_name": ""}, "full_name"),
        ({"contact_role": "owner"}, "contact_role"),
    ],
)
def test_invalid_input_gets_an_error_and_changes_nothing(client, org_a, changes, field):
    client.force_login(org_a.admin)
    before = _snapshot(org_a.contact)
    response = client.post(_edit_url(org_a.contact), _form(org_a.contact, **changes))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert _snapshot(org_a.contact) == before


def test_an_admin_cannot_remove_their_own_admin_role(client, org_a):
    client.force_login(org_a.admin)
    before = _snapshot(org_a.admin)
    response = client.post(
        _edit_url(org_a.admin), _form(org_a.admin, contact_role=ContactRole.CONTACT)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["contact_role"] == [
        "You cannot remove your own administrator role; ask another administrator."
    ]
    assert _snapshot(org_a.admin) == before

"""A customer admin deactivates and reactivates contacts; a deactivated person is signed out."""

from django.test import Client
from django.urls import reverse


def _set_active(client, contact, active: str):
    return client.post(reverse("tenants:contact_set_active", args=[contact.pk]), {"active": active})


def _is_active(user) -> bool:
    user.refresh_from_db()
    return user.is_active


def test_an_admin_deactivates_a_contact(client, org_a):
    client.force_login(org_a.admin)
    response = _set_active(client, org_a.contact, "0")
    assert response.status_code == 302
    assert response["Location"] == reverse("tenants:contact_edit", args=[org_a.contact.pk])
    assert not _is_active(org_a.contact)
    page = client.get(response["Location"]).content.decode()
    assert "Alpha Contact was deactivated; their sessions have ended." in page
    assert "Reactivate Alpha Contact" in page


def test_an_admin_reactivates_a_contact(client, org_a):
    org_a.contact.is_active = False
    org_a.contact.save()
    client.force_login(org_a.admin)
    response = _set_active(client, org_a.contact, "1")
    assert response.status_code == 302
    assert _is_active(org_a.contact)


def test_a_deactivated_contacts_session_ends_at_once(client, org_a):
    contact_browser = Client()
    contact_browser.force_login(org_a.contact)
    assert contact_browser.get(reverse("home")).status_code == 200

    client.force_login(org_a.admin)
    _set_active(client, org_a.contact, "0")

    response = contact_browser.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_deactivated_contact_cannot_sign_in_again(client, org_a):
    client.force_login(org_a.admin)
    _set_active(client, org_a.contact, "0")
    client.logout()
    response = client.post(
        reverse("login"), {"username": "contact@alpha.example", "password": "portal-demo-2026"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_an_admin_cannot_deactivate_themselves(client, org_a):
    client.force_login(org_a.admin)
    response = _set_active(client, org_a.admin, "0")
    assert response.status_code == 302
    assert _is_active(org_a.admin)
    page = client.get(response["Location"]).content.decode()
    assert "You cannot deactivate your own account." in page
    # ... and they are still signed in.
    assert client.get(reverse("home")).status_code == 200


def test_deactivating_takes_a_post(client, org_a):
    client.force_login(org_a.admin)
    response = client.get(reverse("tenants:contact_set_active", args=[org_a.contact.pk]))
    assert response.status_code == 405
    assert _is_active(org_a.contact)

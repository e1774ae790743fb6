"""Who may reach the contact pages: only a customer admin, and only for their own organisation."""

import pytest
from django.urls import reverse

from tenants.models import ContactRole, User


def _snapshot(user):
    user.refresh_from_db()
    return (user.full_name, user.email, user.contact_role, user.is_active)


def test_the_list_shows_the_admins_own_organisation_only(client, org_a, org_b):
    client.force_login(org_a.admin)
    response = client.get(reverse("tenants:contact_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "contact@alpha.example" in body
    assert "contact@beta.example" not in body
    assert "admin@beta.example" not in body


def test_the_list_runs_a_bounded_number_of_queries(client, org_a, django_assert_max_num_queries):
    for n in range(30):
        User.objects.create_user(
            email=f"bulk{n}@alpha.example",
            full_name=f"Bulk {n}",
            organisation=org_a.org,
            contact_role=ContactRole.CONTACT,
        )
    client.force_login(org_a.admin)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("tenants:contact_list")).status_code == 200


def test_a_technical_administrator_may_manage_contacts(client, org_a):
    org_a.contact.contact_role = ContactRole.TECHNICAL_ADMIN
    org_a.contact.save()
    client.force_login(org_a.contact)
    assert client.get(reverse("tenants:contact_list")).status_code == 200


def test_the_edit_page_of_another_organisations_contact_is_not_found(client, org_a, org_b):
    client.force_login(org_a.admin)
    url = reverse("tenants:contact_edit", args=[org_b.contact.pk])
    before = _snapshot(org_b.contact)

    assert client.get(url).status_code == 404
    response = client.post(
        url,
        {
            "full_name": "Hijacked",
            "email": "hijacked@alpha.example",
            "phone": "",
            "contact_role": ContactRole.MAIN,
        },
    )
    assert response.status_code == 404
    assert _snapshot(org_b.contact) == before
    assert not User.objects.filter(email="hijacked@alpha.example").exists()


def test_another_organisations_contact_cannot_be_deactivated(client, org_a, org_b):
    client.force_login(org_a.admin)
    response = client.post(
        reverse("tenants:contact_set_active", args=[org_b.contact.pk]), {"active": "0"}
    )
    assert response.status_code == 404
    assert _snapshot(org_b.contact)[3] is True


def test_an_unknown_contact_id_is_not_found(client, org_a):
    client.force_login(org_a.admin)
    assert client.get(reverse("tenants:contact_edit", args=[987654])).status_code == 404


def test_support_staff_are_not_contacts_an_admin_can_reach(client, org_a, engineers):
    client.force_login(org_a.admin)
    url = reverse("tenants:contact_edit", args=[engineers["L1"].pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", [ContactRole.CONTACT, ContactRole.FINANCIAL])
def test_a_contact_who_is_not_an_admin_is_refused_every_contact_page(client, org_a, role):
    org_a.contact.contact_role = role
    org_a.contact.save()
    client.force_login(org_a.contact)
    before_admin = _snapshot(org_a.admin)
    count = User.objects.count()

    pages = [
        ("get", reverse("tenants:contact_list"), {}),
        ("get", reverse("tenants:contact_create"), {}),
        (
            "post",
            reverse("tenants:contact_create"),
            {"full_name": "X", "email": "x@alpha.example", "contact_role": ContactRole.MAIN},
        ),
        ("get", reverse("tenants:contact_edit", args=[org_a.admin.pk]), {}),
        (
            "post",
            reverse("tenants:contact_edit", args=[org_a.admin.pk]),
            {"full_name": "X", "email": "x@alpha.example", "contact_role": ContactRole.CONTACT},
        ),
        ("post", reverse("tenants:contact_set_active", args=[org_a.admin.pk]), {"active": "0"}),
    ]
    for method, url, data in pages:
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (method, url)
        assert "Only a main contact or a technical administrator" in response.content.decode()

    assert _snapshot(org_a.admin) == before_admin
    assert User.objects.count() == count


def test_support_staff_have_no_contact_pages(client, manager):
    client.force_login(manager)
    assert client.get(reverse("tenants:contact_list")).status_code == 403


def test_the_navigation_offers_contacts_to_admins_only(client, org_a):
    client.force_login(org_a.admin)
    assert reverse("tenants:contact_list") in client.get(reverse("home")).content.decode()
    client.force_login(org_a.contact)
    assert reverse("tenants:contact_list") not in client.get(reverse("home")).content.decode()

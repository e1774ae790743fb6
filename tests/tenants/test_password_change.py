"""Signed-in people change their password with Django's own views and the portal's templates."""

from django.urls import reverse

from tenants.demo import DEMO_PASSWORD


def test_the_page_renders_in_the_portal_layout(client, org_a):
    client.force_login(org_a.contact)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert "registration/password_change_form.html" in [t.name for t in response.templates]
    body = response.content.decode()
    assert "Change your password" in body
    assert 'name="old_password"' in body


def test_a_contact_changes_their_password(client, org_a):
    client.force_login(org_a.contact)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "another-long-secret-42",
            "new_password2": "another-long-secret-42",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert "Your new password is in use." in client.get(response["Location"]).content.decode()
    org_a.contact.refresh_from_db()
    assert org_a.contact.check_password("another-long-secret-42")
    assert not org_a.contact.check_password(DEMO_PASSWORD)
    # The session that changed the password stays signed in.
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_old_password_changes_nothing(client, org_a):
    client.force_login(org_a.contact)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "not-my-password",
            "new_password1": "another-long-secret-42",
            "new_password2": "another-long-secret-42",
        },
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    org_a.contact.refresh_from_db()
    assert org_a.contact.check_password(DEMO_PASSWORD)


def test_a_weak_new_password_is_refused(client, org_a):
    client.force_login(org_a.contact)
    response = client.post(
        reverse("password_change"),
        {"old_password": DEMO_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    org_a.contact.refresh_from_db()
    assert org_a.contact.check_password(DEMO_PASSWORD)


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

import pytest
from django.urls import reverse


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_contact_sees_their_own_tenants_only(client, org_a, org_b):
    client.force_login(org_a.contact)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "alpha-prod" in body and "alpha-test" in body
    assert "beta-prod" not in body


def test_an_engineer_sees_the_support_home(client, engineers, org_a):
    client.force_login(engineers["L2"])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "L2 – product support" in response.content.decode()
    assert response.templates[0].name == "home/staff.html"


def test_a_manager_sees_that_background_jobs_have_not_run(client, manager):
    client.force_login(manager)
    body = client.get(reverse("home")).content.decode()
    assert "have not run yet" in body


@pytest.mark.parametrize("email", ["ADMIN@alpha.example", "admin@alpha.example"])
def test_sign_in_takes_the_email_in_the_username_field(client, org_a, email):
    response = client.post(reverse("login"), {"username": email, "password": "portal-demo-2026"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")

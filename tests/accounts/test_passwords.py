"""Password rules: at least 12 characters, not a common password."""

import pytest
from django.urls import reverse

from tenants.demo import DEMO_PASSWORD


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pass1", "at least 12 characters"),
        ("password1234", "too common"),
        ("123456789012", "entirely numeric"),
    ],
)
def test_a_weak_new_password_is_refused_and_the_old_one_kept(client, org_a, password, message):
    client.force_login(org_a.contact)
    response = client.post(
        reverse("password_change"),
        {"old_password": DEMO_PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["new_password2"])
    org_a.contact.refresh_from_db()
    assert org_a.contact.check_password(DEMO_PASSWORD)


def test_twelve_characters_that_are_not_common_are_accepted(client, org_a):
    client.force_login(org_a.contact)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "quiet-harbour",
            "new_password2": "quiet-harbour",
        },
    )
    assert response.status_code == 302
    org_a.contact.refresh_from_db()
    assert org_a.contact.check_password("quiet-harbour")

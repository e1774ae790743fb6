"""Two-factor sign-in: required for support staff and administrators, optional for customer
contacts; TOTP codes and one-time recovery codes; a manager resets a lost authenticator."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import recovery_code_digest
from audit.models import AuditAction, AuditEvent
from tenants.demo import DEMO_PASSWORD

from ..conftest import force_login_password_only
from ..two_factor import enrol_authenticator, totp_code


def _password_step(client, email: str):
    response = client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def _setup_key(client) -> str:
    page = client.get(reverse("accounts:mfa_setup")).content.decode()
    readable = re.search(r'data-testid="totp-key">([^<]+)<', page).group(1)
    from base64 import b32decode

    secret = readable.replace(" ", "")
    secret += "=" * (-len(secret) % 8)
    return b32decode(secret).hex()


def test_an_engineer_without_an_authenticator_must_set_one_up_before_anything_else(
    client, engineers
):
    _password_step(client, "l1@support.example")
    for path in (reverse("home"), reverse("queue:list"), "/admin/", reverse("audit:list")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("accounts:mfa_setup"))


def test_setting_up_with_a_wrong_code_saves_nothing(client, engineers):
    _password_step(client, "l1@support.example")
    _setup_key(client)
    response = client.post(reverse("accounts:mfa_setup"), {"token": "000000"})
    assert response.status_code == 400
    assert "does not match" in response.content.decode()
    assert not TOTPDevice.objects.exists()
    assert not StaticDevice.objects.exists()
    assert client.get(reverse("home")).status_code == 302


def test_setting_up_with_the_apps_code_signs_in_and_shows_recovery_codes_once(client, engineers):
    _password_step(client, "l1@support.example")
    key = _setup_key(client)
    response = client.post(reverse("accounts:mfa_setup"), {"token": totp_code(key)})
    assert response.status_code == 200
    codes = re.findall(
        r"<li><code>([a-z2-7]{5}-[a-z2-7]{5})</code></li>", response.content.decode()
    )
    assert len(codes) == 10
    assert response["Cache-Control"] == "private, no-store"
    assert client.get(reverse("queue:list")).status_code == 200
    device = TOTPDevice.objects.get(user=engineers["L1"])
    assert device.confirmed and device.key == key
    # Only keyed hashes of the recovery codes are stored.
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert not stored & set(codes)
    assert stored == {recovery_code_digest(code) for code in codes}
    assert AuditEvent.objects.filter(action=AuditAction.MFA_ENROLLED).count() == 1


def test_a_returning_engineer_enters_a_code_and_a_code_is_used_once(client, engineers):
    device = enrol_authenticator(engineers["L2"])
    _password_step(client, "l2@support.example")
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:mfa_verify"))
    code = totp_code(device)
    response = client.post(reverse("accounts:mfa_verify"), {"token": code, "next": "/queue/"})
    assert response.status_code == 302
    assert response["Location"] == "/queue/"
    assert client.get(reverse("queue:list")).status_code == 200

    again = Client()
    _password_step(again, "l2@support.example")
    assert again.post(reverse("accounts:mfa_verify"), {"token": code}).status_code == 400
    assert again.get(reverse("home")).status_code == 302


def test_the_session_id_changes_when_the_second_factor_is_given(client, engineers):
    device = enrol_authenticator(engineers["L2"])
    _password_step(client, "l2@support.example")
    before = client.cookies["sessionid"].value
    client.post(reverse("accounts:mfa_verify"), {"token": totp_code(device)})
    assert client.cookies["sessionid"].value != before


def test_a_wrong_code_is_refused_audited_and_slows_the_next_try(client, engineers):
    device = enrol_authenticator(engineers["L2"])
    _password_step(client, "l2@support.example")
    for _ in range(3):
        response = client.post(reverse("accounts:mfa_verify"), {"token": "123456"})
        assert response.status_code == 400
    # Throttled now: even the right code waits.
    assert (
        client.post(reverse("accounts:mfa_verify"), {"token": totp_code(device)}).status_code == 400
    )
    assert AuditEvent.objects.filter(action=AuditAction.MFA_FAILED).count() == 4


def test_a_recovery_code_signs_in_once(client, engineers):
    _password_step(client, "l3@support.example")
    key = _setup_key(client)
    page = client.post(reverse("accounts:mfa_setup"), {"token": totp_code(key)}).content.decode()
    code = re.findall(r"<code>([a-z2-7]{5}-[a-z2-7]{5})</code>", page)[0]

    lost_phone = Client()
    _password_step(lost_phone, "l3@support.example")
    response = lost_phone.post(reverse("accounts:mfa_verify"), {"token": code.upper()})
    assert response.status_code == 302
    assert lost_phone.get(reverse("home")).status_code == 200
    again = Client()
    _password_step(again, "l3@support.example")
    assert again.post(reverse("accounts:mfa_verify"), {"token": code}).status_code == 400
    assert AuditEvent.objects.filter(action=AuditAction.MFA_RECOVERY_CODE_USED).count() == 1


def test_the_password_alone_cannot_replace_an_existing_authenticator(client, engineers):
    """Someone with the password but not the phone must not enrol their own device."""
    enrol_authenticator(engineers["L2"])
    _password_step(client, "l2@support.example")
    response = client.get(reverse("accounts:mfa_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))
    response = client.post(reverse("accounts:mfa_setup"), {"token": "123456"})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=engineers["L2"]).count() == 1


def test_a_customer_contact_may_sign_in_without_a_second_factor(client, org_a):
    _password_step(client, "contact@alpha.example")
    assert client.get(reverse("home")).status_code == 200


def test_a_customer_contact_who_set_one_up_must_use_it(client, org_a):
    device = enrol_authenticator(org_a.contact)
    _password_step(client, "contact@alpha.example")
    assert client.get(reverse("home")).status_code == 302
    client.post(reverse("accounts:mfa_verify"), {"token": totp_code(device)})
    assert client.get(reverse("home")).status_code == 200


def test_a_customer_contact_turns_it_off_with_a_code_but_an_engineer_cannot(
    client, org_a, engineers
):
    device = enrol_authenticator(org_a.contact)
    client.force_login(org_a.contact)
    wrong = client.post(reverse("accounts:mfa_remove"), {"token": "000000"}, follow=True)
    assert "does not match" in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=org_a.contact).exists()
    client.post(reverse("accounts:mfa_remove"), {"token": totp_code(device)})
    assert not TOTPDevice.objects.filter(user=org_a.contact).exists()
    assert AuditEvent.objects.filter(action=AuditAction.MFA_REMOVED).count() == 1

    engineer_device = enrol_authenticator(engineers["L1"])
    client.force_login(engineers["L1"])
    response = client.post(reverse("accounts:mfa_remove"), {"token": totp_code(engineer_device)})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=engineers["L1"]).exists()


def test_renewing_recovery_codes_replaces_the_old_ones(client, engineers):
    client.force_login(engineers["L1"])
    first = client.post(reverse("accounts:recovery_codes_renew")).content.decode()
    second = client.post(reverse("accounts:recovery_codes_renew")).content.decode()
    old = set(re.findall(r"<code>([a-z2-7-]{11})</code>", first))
    new = set(re.findall(r"<code>([a-z2-7-]{11})</code>", second))
    assert len(old) == len(new) == 10 and not old & new
    assert StaticToken.objects.count() == 10


def test_a_manager_resets_a_lost_authenticator_and_the_engineers_sessions_end(
    client, engineers, manager
):
    engineer = engineers["L4"]
    engineer_browser = Client()
    engineer_browser.force_login(engineer)
    client.force_login(manager)
    response = client.post(reverse("accounts:mfa_reset"), {"person": engineer.pk})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=engineer).exists()
    assert engineer_browser.get(reverse("home")).status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.MFA_RESET)
    assert (event.actor, event.target_id) == (manager, str(engineer.pk))
    # At the next sign-in the engineer sets up a new one.
    fresh = Client()
    _password_step(fresh, engineer.email)
    assert fresh.get(reverse("home"))["Location"].startswith(reverse("accounts:mfa_setup"))


@pytest.mark.parametrize("who", ["L1", "contact"])
def test_only_managers_reset_authenticators(client, engineers, org_a, who):
    target = enrol_authenticator(engineers["L2"])
    client.force_login(engineers["L1"] if who == "L1" else org_a.admin)
    response = client.post(reverse("accounts:mfa_reset"), {"person": engineers["L2"].pk})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(pk=target.pk).exists()


def test_a_manager_cannot_reset_their_own_or_an_administrators_authenticator(
    client, manager, django_user_model
):
    admin = django_user_model.objects.create_superuser(
        email="root@vendor.example", full_name="Root"
    )
    enrol_authenticator(admin)
    client.force_login(manager)
    for person in (manager, admin):
        response = client.post(reverse("accounts:mfa_reset"), {"person": person.pk})
        assert response.status_code == 400
    assert TOTPDevice.objects.filter(user__in=[manager, admin]).count() == 2


def test_a_half_signed_in_person_reaches_only_the_code_pages(client, engineers):
    force_login_password_only(client, engineers["L1"])
    assert client.get(reverse("accounts:mfa_setup")).status_code == 200
    assert client.get(reverse("accounts:security")).status_code == 302
    assert client.post(reverse("accounts:recovery_codes_renew")).status_code == 302

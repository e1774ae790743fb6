"""Sessions end with the access they stood for, and do not last for ever."""

import re
from datetime import timedelta

import time_machine
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Session
from audit.models import AuditAction, AuditEvent
from tenants.demo import DEMO_PASSWORD

from ..tenants.test_contact_set_active import _set_active


def _signed_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_a_reactivated_contacts_old_session_does_not_work_again(client, org_a):
    contact_browser = Client()
    contact_browser.force_login(org_a.contact)
    old_cookie = contact_browser.cookies["sessionid"].value
    client.force_login(org_a.admin)
    _set_active(client, org_a.contact, "0")
    _set_active(client, org_a.contact, "1")

    replay = Client()
    replay.cookies["sessionid"] = old_cookie
    assert not _signed_in(replay)
    assert not _signed_in(contact_browser)
    assert not Session.objects.filter(user=org_a.contact).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.CONTACT_DEACTIVATED, target_id=str(org_a.contact.pk)
    ).exists()


def test_deactivation_in_the_admin_ends_sessions_too(org_a):
    browser = Client()
    browser.force_login(org_a.contact)
    org_a.contact.is_active = False
    org_a.contact.save()
    org_a.contact.is_active = True
    org_a.contact.save()
    assert not _signed_in(browser)


def test_a_password_change_ends_every_other_session_and_keeps_this_one(client, org_a):
    other = Client()
    other.force_login(org_a.contact)
    client.force_login(org_a.contact)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "a-new-long-secret-9",
            "new_password2": "a-new-long-secret-9",
        },
    )
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(other)
    assert Session.objects.filter(user=org_a.contact).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).count() == 1


def test_a_password_reset_ends_every_session(client, org_a, django_capture_on_commit_callbacks):
    signed_in = Client()
    signed_in.force_login(org_a.contact)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "contact@alpha.example"})
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    confirm = client.get(path, follow=True)
    client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": "reset-long-secret-77", "new_password2": "reset-long-secret-77"},
    )
    assert not _signed_in(signed_in)
    assert not Session.objects.filter(user=org_a.contact).exists()
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET).exists()


def test_a_person_signs_out_everywhere_else_from_their_security_page(client, org_a):
    other = Client()
    other.force_login(org_a.contact)
    client.force_login(org_a.contact)
    page = client.get(reverse("accounts:security")).content.decode()
    assert "signed in on 1 other device" in page
    client.post(reverse("accounts:sessions_end_others"))
    assert _signed_in(client)
    assert not _signed_in(other)


@override_settings(SESSION_COOKIE_AGE=30 * 60)
def test_a_session_left_idle_for_the_timeout_ends(client, org_a):
    client.force_login(org_a.contact)
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        assert _signed_in(client)  # activity pushes the expiry on
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        assert _signed_in(client)
    with time_machine.travel(start + timedelta(minutes=80), tick=False):
        assert not _signed_in(client)


@override_settings(SESSION_COOKIE_AGE=30 * 60, SESSION_ABSOLUTE_LIFETIME_SECONDS=3600)
def test_a_busy_session_ends_at_its_absolute_lifetime(client, org_a):
    client.force_login(org_a.contact)
    start = timezone.now()
    for minutes in (15, 30, 45, 59):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert _signed_in(client), minutes
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert not _signed_in(client)
    assert AuditEvent.objects.filter(action=AuditAction.SESSION_EXPIRED).exists()

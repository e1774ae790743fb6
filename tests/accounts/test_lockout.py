"""Sign-in throttling (django-axes): five failures for one account lock it for 15 minutes."""

from datetime import timedelta

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from tenants.demo import DEMO_PASSWORD


def _sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def _fail(client, username: str, times: int) -> list[int]:
    return [_sign_in(client, username, "wrong-password-1").status_code for _ in range(times)]


def test_the_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password(
    client, org_a
):
    assert _fail(client, "contact@alpha.example", 4) == [200] * 4
    # The fifth failure locks the account and says so.
    fifth = _sign_in(client, "contact@alpha.example", "wrong-password-1")
    assert fifth.status_code == 429
    response = _sign_in(client, "contact@alpha.example", DEMO_PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed sign-ins for this account" in body
    assert "locked for 15 minutes" in body
    assert client.get(reverse("home")).status_code == 302  # not signed in
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).exists()
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).count() >= 5


def test_four_failures_do_not_lock_and_a_success_starts_the_count_again(client, org_a):
    _fail(client, "contact@alpha.example", 4)
    assert _sign_in(client, "contact@alpha.example", DEMO_PASSWORD).status_code == 302
    client.logout()
    assert _fail(client, "contact@alpha.example", 4) == [200] * 4
    assert _sign_in(client, "contact@alpha.example", DEMO_PASSWORD).status_code == 302


def test_the_count_is_per_account_whatever_the_case_of_the_address(client, org_a):
    for variant in ("Contact@Alpha.example", "CONTACT@ALPHA.EXAMPLE", " contact@alpha.example"):
        _sign_in(client, variant, "wrong-password-1")
    _fail(client, "contact@alpha.example", 2)
    assert _sign_in(client, "contact@alpha.example", DEMO_PASSWORD).status_code == 429
    # Another account on the same client is not affected.
    assert _sign_in(Client(), "admin@alpha.example", DEMO_PASSWORD).status_code == 302


def test_the_lockout_ends_by_itself_after_fifteen_minutes(client, org_a):
    _fail(client, "contact@alpha.example", 5)
    with time_machine.travel(timezone.now() + timedelta(minutes=14), tick=False):
        assert _sign_in(client, "contact@alpha.example", DEMO_PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        assert _sign_in(client, "contact@alpha.example", DEMO_PASSWORD).status_code == 302


def test_a_manager_ends_a_lockout_and_it_is_audited(client, org_a, manager):
    _fail(Client(), "contact@alpha.example", 5)
    client.force_login(manager)
    page = client.get(reverse("accounts:manage")).content.decode()
    assert "contact@alpha.example" in page
    response = client.post(reverse("accounts:lockout_end"), {"username": "contact@alpha.example"})
    assert response.status_code == 302
    assert _sign_in(Client(), "contact@alpha.example", DEMO_PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.LOCKOUT_ENDED)
    assert (event.actor, event.target_label) == (manager, "contact@alpha.example")


def test_ending_a_lockout_that_does_not_exist_says_so_and_records_nothing(client, manager, db):
    client.force_login(manager)
    response = client.post(
        reverse("accounts:lockout_end"), {"username": "nobody@alpha.example"}, follow=True
    )
    assert "is not locked out" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.LOCKOUT_ENDED).exists()


def test_an_engineer_or_a_customer_cannot_end_a_lockout(client, org_a, engineers):
    _fail(Client(), "contact@alpha.example", 5)
    for person in (engineers["L2"], org_a.admin):
        client.force_login(person)
        response = client.post(
            reverse("accounts:lockout_end"), {"username": "contact@alpha.example"}
        )
        assert response.status_code == 403
        assert client.get(reverse("accounts:manage")).status_code == 403
    assert _sign_in(Client(), "contact@alpha.example", DEMO_PASSWORD).status_code == 429

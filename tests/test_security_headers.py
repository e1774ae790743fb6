"""Response headers: a strict Content-Security-Policy everywhere, no caching of signed-in pages
and downloads, and the transport and feature headers."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from tickets import services


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_every_page_carries_the_strict_policy(client, org_a):
    for response in (client.get(reverse("login")), _signed_in_home(client, org_a)):
        policy = _policy(response)
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert policy["object-src"] == "'none'"
        assert policy["base-uri"] == "'none'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["form-action"] == "'self'"
        assert "unsafe-inline" not in response["Content-Security-Policy"]


def _signed_in_home(client, org_a):
    client.force_login(org_a.contact)
    return client.get(reverse("home"))


PAGES_OF = {
    "contact": ["home", "tickets:list", "tickets:create", "accounts:security"],
    "engineer": ["home", "queue:list", "tickets:list", "sla:calculator", "onboarding:index"],
    "manager": ["audit:list", "accounts:manage"],
}


@pytest.mark.parametrize("role", PAGES_OF)
def test_no_template_has_inline_script_or_style(client, org_a, engineers, manager, role):
    person = {"contact": org_a.admin, "engineer": engineers["L1"], "manager": manager}[role]
    client.force_login(person)
    for name in PAGES_OF[role]:
        body = client.get(reverse(name)).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", body), name
        assert "<style" not in body, name
        assert " style=" not in body, name


def test_signed_in_pages_and_downloads_are_not_stored_by_any_cache(client, org_a):
    ticket = services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="incident",
        priority="P3",
        subject="Log attached",
        description="See the log.",
        attachments=[SimpleUploadedFile("a.log", b"log line\n")],
    )
    client.force_login(org_a.contact)
    attachment = ticket.attachments.get()
    for url in (
        reverse("home"),
        reverse("tickets:detail", args=[ticket.pk]),
        reverse("tickets:attachment", args=[ticket.pk, attachment.pk]),
    ):
        assert client.get(url)["Cache-Control"] == "private, no-store", url


def test_the_permissions_policy_and_referrer_policy_are_sent(client, db):
    response = client.get(reverse("login"))
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@override_settings(SECURE_HSTS_SECONDS=31_536_000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_https_responses_carry_hsts(client, db):
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_cookies_are_http_only_and_same_site(client, org_a):
    response = client.post(
        reverse("login"), {"username": "contact@alpha.example", "password": "portal-demo-2026"}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"

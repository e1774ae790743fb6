"""The client's address (``lib.client``): the connection's own, or behind ``TRUSTED_PROXIES``
proxies the one the nearest of them saw; what the client writes itself is never believed."""

import ipaddress

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditAction, AuditEvent
from lib.client import client_address
from tenants.demo import DEMO_PASSWORD


def _request(remote: str = "10.0.0.5", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_connections_address_counts_and_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_address(_request("192.0.2.7", forwarded="203.0.113.1")) == "192.0.2.7"


def test_behind_one_proxy_the_address_it_saw_counts(settings):
    settings.TRUSTED_PROXIES = 1
    assert client_address(_request(forwarded="203.0.113.9")) == "203.0.113.9"
    # A client that sends its own header only adds entries to the left of the proxy's.
    assert client_address(_request(forwarded="1.2.3.4, 203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_the_outer_ones_entry_counts(settings):
    settings.TRUSTED_PROXIES = 2
    assert client_address(_request(forwarded="1.2.3.4, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"


def test_a_missing_short_or_malformed_header_gives_no_address(settings):
    settings.TRUSTED_PROXIES = 2
    assert client_address(_request()) is None
    assert client_address(_request(forwarded="203.0.113.9")) is None
    assert client_address(_request(forwarded="not-an-address, 10.0.0.2")) is None
    settings.TRUSTED_PROXIES = 0
    assert client_address(_request("")) is None


@given(header=st.text(max_size=200), hops=st.integers(min_value=0, max_value=3))
def test_any_header_gives_a_valid_address_or_none(header, hops):
    with override_settings(TRUSTED_PROXIES=hops):
        address = client_address(_request(forwarded=header))
    if address is not None:
        ipaddress.ip_address(address)
        if hops:
            assert address in header


@override_settings(TRUSTED_PROXIES=1)
@pytest.mark.django_db
def test_behind_the_load_balancer_the_audit_log_records_the_clients_address(org_a):
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.23")
    client.post(reverse("login"), {"username": "contact@alpha.example", "password": "wrong-pw-1"})
    client.post(reverse("login"), {"username": "contact@alpha.example", "password": DEMO_PASSWORD})
    failed = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    signed_in = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert failed.ip_address == signed_in.ip_address == "198.51.100.23"

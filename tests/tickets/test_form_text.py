"""Numbers the ticket form shows come from the data and settings they describe."""

from django.test import override_settings
from django.urls import reverse


def test_the_minor_request_delivery_follows_the_organisations_policy(client, org_a):
    policy = org_a.org.sla_policy
    policy.minor_request_delivery_days = 5
    policy.save()
    client.force_login(org_a.contact)
    page = client.get(reverse("tickets:create")).content.decode()
    assert "Minor change (target delivery 5 business days)" in page
    assert "3 business days" not in page


def test_the_attachment_limit_shown_is_the_configured_one(client, org_a):
    client.force_login(org_a.contact)
    with override_settings(ATTACHMENT_MAX_BYTES=5 * 1024 * 1024):
        page = client.get(reverse("tickets:create")).content.decode()
    assert "at most 5.0\xa0MB each" in page


def test_the_default_priority_and_the_production_rule_are_named_from_the_rules(client, org_a):
    client.force_login(org_a.contact)
    page = client.get(reverse("tickets:create")).content.decode()
    assert "Let support decide (P3)" in page
    assert "P1 and P2 are only for incidents on <em>production</em> tenants" in page
    assert "P3 – medium</strong>: business is affected." in page


def test_the_footer_names_the_time_zone_pages_use(client, org_a, settings):
    client.force_login(org_a.contact)
    page = client.get(reverse("home")).content.decode()
    assert f"times shown in {settings.TIME_ZONE}" in page

"""The bad inputs named in the security review, each refused with a clear message (or bounded),
never a server error, and nothing saved. ``test_hostile_input`` searches for more."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from lib.forms import DATE_RANGE_MESSAGE
from onboarding.models import OnboardingChecklist
from tenants.models import Organisation
from tickets import services
from tickets.models import Ticket, TicketEvent

from .tickets.helpers import act


def _ticket(org, kind="incident"):
    return services.ticket_create(
        submitter=org.contact,
        tenant_id=org.prod.pk,
        kind=kind,
        priority="P3" if kind == "incident" else "",
        request_size="planned" if kind == "service_request" else "",
        subject="Bad input",
        description="Probe.",
    )


@pytest.mark.parametrize(
    "query",
    [
        {"page": "99999999999999999999999999"},
        {"page": "-3"},
        {"page": "abc"},
        {"per_page": "-5"},
        {"per_page": "0"},
        {"per_page": "1000000"},
        {"organisation": "99999999999999999999999999"},
        {"organisation": "-1"},
        {"due_within": "1e400"},
        {"_export": "xlsx"},
    ],
)
def test_the_queue_answers_odd_query_strings_with_a_page(client, org_a, engineers, query):
    _ticket(org_a)
    client.force_login(engineers["L1"])
    response = client.get(reverse("queue:list"), query)
    assert response.status_code == 200
    assert response.context["table"].paginator.per_page <= 100


@pytest.mark.parametrize("per_page", ["1000000", "-1", "0", "99999999999999999999999"])
def test_every_list_holds_its_page_size(client, org_a, per_page):
    for _ in range(3):
        _ticket(org_a)
    client.force_login(org_a.admin)
    for name in ("tickets:list", "tenants:contact_list"):
        response = client.get(reverse(name), {"per_page": per_page, "page": "999999999999"})
        assert response.status_code == 200, name
        assert 1 <= response.context["table"].paginator.per_page <= 100, name


@pytest.mark.parametrize("start", ["0001-01-01T00:00", "9999-12-31T23:59", "1999-12-31T23:00"])
def test_the_calculator_refuses_dates_outside_the_supported_range(client, engineers, start):
    client.force_login(engineers["L1"])
    response = client.get(
        reverse("sla:calculator"),
        {"policy": "standard", "priority": "P3", "target": "initial_response", "start": start},
    )
    assert response.status_code == 200
    assert DATE_RANGE_MESSAGE in response.context["form"].errors["start"]
    assert response.context["explanation"] is None


@pytest.mark.parametrize("when", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_an_absurd_agreed_next_update_is_refused_and_nothing_saved(client, org_a, engineers, when):
    ticket = _ticket(org_a)
    events = TicketEvent.objects.count()
    client.force_login(engineers["L1"])
    response = act(client, ticket, "reply", body="Update.", next_update_at=when)
    assert response.status_code == 400
    assert DATE_RANGE_MESSAGE in str(response.content.decode())
    assert TicketEvent.objects.count() == events


@pytest.mark.parametrize("when", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_an_absurd_delivery_date_is_refused_and_nothing_saved(client, org_a, engineers, when):
    ticket = _ticket(org_a, kind="service_request")
    client.force_login(engineers["L1"])
    response = act(client, ticket, "agree_delivery", delivery_at=when, note="")
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.agreed_delivery_at is None


@pytest.mark.parametrize("signed_on", ["0001-01-01", "9999-12-31"])
def test_an_absurd_contract_date_is_refused_when_onboarding_starts(
    client, org_a, engineers, signed_on
):
    client.force_login(engineers["L1"])
    response = client.post(
        reverse("onboarding:start"), {"organisation": org_a.org.pk, "signed_on": signed_on}
    )
    assert DATE_RANGE_MESSAGE in str(response.context["form"].errors["signed_on"])
    assert not OnboardingChecklist.objects.exists()


def test_absurd_contract_and_go_live_dates_are_refused_in_the_admin(client, org_a, superuser):
    client.force_login(superuser)
    url = reverse("admin:tenants_organisation_change", args=[org_a.org.pk])
    response = client.post(
        url,
        {
            "name": org_a.org.name,
            "slug": org_a.org.slug,
            "contract_signed_on": "0001-01-01",
            "go_live_on": "9999-12-31",
            "sla_policy": org_a.org.sla_policy_id,
            "tenants-TOTAL_FORMS": "0",
            "tenants-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert DATE_RANGE_MESSAGE in errors["contract_signed_on"]
    assert DATE_RANGE_MESSAGE in errors["go_live_on"]
    org = Organisation.objects.get(pk=org_a.org.pk)
    assert org.contract_signed_on is None and org.go_live_on is None
    assert not LogEntry.objects.exists()


def test_no_ticket_is_saved_from_a_refused_form(client, org_a):
    client.force_login(org_a.contact)
    client.post(reverse("tickets:create"), {"tenant": "99999999999999999999", "subject": "\x00"})
    assert Ticket.objects.count() == 0

"""The ticket admin goes through the services: timeline events, a new version, the same rules."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tickets import services
from tickets.models import Ticket, TicketEvent


@pytest.fixture
def admin_user(db):
    return UserFactory(email="root@support.example", is_staff=True, is_superuser=True)


def _ticket(org, tenant, priority="P3"):
    return services.ticket_create(
        submitter=org.contact,
        tenant_id=tenant.pk,
        kind="incident",
        priority=priority,
        subject="Agents cannot log in",
        description="Since 09:40.",
    )


def _form(ticket, **changes):
    data = {
        "subject": ticket.subject,
        "description": ticket.description,
        "reference_id": ticket.reference_id,
        "impact": ticket.impact,
        "priority": ticket.priority,
        "seen_version": ticket.version,
        "targets-TOTAL_FORMS": 0,
        "targets-INITIAL_FORMS": 0,
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


def test_a_text_edit_in_the_admin_is_on_the_timeline_and_bumps_the_version(
    client, admin_user, org_a
):
    ticket = _ticket(org_a, org_a.prod)
    client.force_login(admin_user)
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    response = client.post(url, _form(ticket, subject="Agents in Oslo cannot log in"))
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket.refresh_from_db()
    assert ticket.subject == "Agents in Oslo cannot log in"
    assert ticket.version == 2
    event = ticket.events.get(kind=TicketEvent.Kind.EDITED)
    assert event.actor == admin_user and not event.public
    assert event.data["changes"]["subject"] == {
        "from": "Agents cannot log in",
        "to": "Agents in Oslo cannot log in",
    }


def test_a_stale_admin_form_is_refused_and_changes_nothing(client, admin_user, org_a, manager):
    ticket = _ticket(org_a, org_a.prod)
    seen = Ticket.objects.get(pk=ticket.pk)
    services.ticket_escalate(ticket=ticket, actor=manager, reason="L2", version=ticket.version)
    client.force_login(admin_user)
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    response = client.post(url, _form(seen, subject="Overwritten"))
    assert response.status_code == 200
    assert "changed while you were looking at it" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.subject == "Agents cannot log in"
    assert not ticket.events.filter(kind=TicketEvent.Kind.EDITED).exists()


def test_the_admin_cannot_raise_a_test_tenants_ticket_to_p1(client, admin_user, org_a):
    ticket = _ticket(org_a, org_a.test)
    client.force_login(admin_user)
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    response = client.post(url, _form(ticket, priority="P1"))
    assert response.status_code == 200
    assert "reserved for incidents on production tenants" in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.version) == ("P3", 1)


def test_a_priority_change_in_the_admin_re_measures_the_targets(client, admin_user, org_a):
    ticket = _ticket(org_a, org_a.prod)
    client.force_login(admin_user)
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    assert client.post(url, _form(ticket, priority="P2")).status_code == 302
    ticket.refresh_from_db()
    assert ticket.priority == "P2"
    assert ticket.events.filter(kind=TicketEvent.Kind.PRIORITY_CHANGED).count() == 1
    assert ticket.targets.filter(kind="initial_response", revision=2, priority="P2").exists()

"""Outage pages: "Record outage" on a P1/P2 ticket's page, the form (one tenant, several, a data
centre), the outage page (customers read it, staff correct and end it), the list."""

from datetime import timedelta

import pytest
from django.urls import reverse

from availability.models import Outage
from tenants.models import DataCentre
from tests.factories import TenantFactory
from tickets import services as ticket_services
from tickets.models import TicketEvent

from .conftest import local, provision, utc

NOW = local(2026, 11, 17, 12, 0)
CREATE = reverse("availability:outage_create")


def _ticket(org, priority="P1", tenant=None):
    return ticket_services.ticket_create(
        submitter=org.contact,
        tenant_id=(tenant or org.prod).pk,
        kind="incident",
        priority=priority,
        subject="Calls do not reach agents",
        description="Since 09:00.",
        now=local(2026, 11, 17, 9, 5),
    )


def _form(chosen, **fields):
    data = {
        "tenants": [t.pk for t in chosen],
        "data_centre": "",
        "scope": "full",
        "starts_at": "2026-11-17T09:00",
        "ends_at": "",
        "cause": "Routing database failed over.",
        "tickets": "",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize(("priority", "shown"), [("P1", True), ("P2", True), ("P3", False)])
def test_the_ticket_page_offers_record_outage_to_staff_on_p1_and_p2(
    provisioned, client, engineers, priority, shown
):
    org_a, _ = provisioned
    ticket = _ticket(org_a, priority)
    link = f"{CREATE}?ticket={ticket.pk}"
    client.force_login(engineers["L1"])
    assert (
        link in client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    ) is shown
    client.force_login(org_a.contact)
    assert link not in client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()


def test_recording_from_a_p1_prefills_it_and_lands_on_the_ticket_timeline(
    provisioned, client, engineers, clock
):
    org_a, _ = provisioned
    ticket = _ticket(org_a)
    clock.to(NOW)
    client.force_login(engineers["L1"])
    page = client.get(CREATE, {"ticket": ticket.pk}).content.decode()
    assert f'<option value="{org_a.prod.pk}" selected>' in page
    assert f'value="#{ticket.pk}"' in page
    assert 'value="2026-11-17T09:05"' in page  # filed at 09:05 Helsinki

    response = client.post(
        f"{CREATE}?ticket={ticket.pk}",
        _form([org_a.prod], tickets=f"#{ticket.pk}", ends_at="2026-11-17T10:00"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:detail", args=[ticket.pk])
    outage = Outage.objects.get()
    assert (outage.starts_at, outage.ends_at) == (utc(2026, 11, 17, 7), utc(2026, 11, 17, 8))
    page = client.get(response["Location"]).content.decode()
    assert "Outage recorded" in page and "Full outage of alpha-prod" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ends_at": "2026-11-17T08:00"}, "The end must come after the start."),
        ({"starts_at": "2026-11-18T08:00"}, "An outage cannot start in the future"),
        ({"tenants": [], "data_centre": ""}, "Choose a tenant, or a data centre"),
        ({"tickets": "#abc"}, "is not a ticket number"),
        ({"tickets": "#999999"}, "There is no ticket #999999."),
        ({"cause": ""}, "This field is required."),
        ({"starts_at": "2026-10-25T03:30"}, "couldn’t be interpreted in time zone"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(
    provisioned, client, engineers, clock, fields, message
):
    org_a, _ = provisioned
    clock.to(NOW)
    client.force_login(engineers["L1"])
    response = client.post(CREATE, _form([org_a.prod], **fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Outage.objects.exists()


def test_a_ticket_of_another_tenant_is_refused_on_the_form(provisioned, client, engineers, clock):
    org_a, org_b = provisioned
    foreign = _ticket(org_b)
    clock.to(NOW)
    client.force_login(engineers["L1"])
    response = client.post(CREATE, _form([org_a.prod], tickets=f"#{foreign.pk}"))
    assert response.status_code == 400
    assert "which is not one of this outage&#x27;s tenants" in response.content.decode()
    assert not Outage.objects.exists()
    assert not TicketEvent.objects.filter(kind="outage").exists()


def test_a_data_centre_records_every_tenant_in_service_there(provisioned, client, manager, clock):
    org_a, org_b = provisioned
    unprovisioned = TenantFactory(organisation=org_a.org, data_centre=DataCentre.EU)
    elsewhere = TenantFactory(organisation=org_b.org, data_centre=DataCentre.AU)
    provision(elsewhere)
    clock.to(NOW)
    client.force_login(manager)
    response = client.post(CREATE, _form([], data_centre=DataCentre.EU))
    assert response.status_code == 302
    recorded = set(Outage.objects.values_list("tenant__name", flat=True))
    assert recorded == {"alpha-prod", "alpha-test", "beta-prod", "beta-test"}
    assert unprovisioned.name not in recorded
    assert Outage.objects.values("incident").distinct().count() == 1


def test_customers_read_their_outage_but_cannot_record_or_change_one(provisioned, client, clock):
    org_a, _ = provisioned
    outage = Outage.objects.create(
        tenant=org_a.prod, starts_at=utc(2026, 11, 17, 7), scope="full", cause="Routing failed."
    )
    clock.to(NOW)
    client.force_login(org_a.contact)
    detail = reverse("availability:outage_detail", args=[outage.pk])
    page = client.get(detail).content.decode()
    assert "Routing failed." in page and "Ongoing" in page
    assert "End the outage" not in page and "Correct the outage" not in page
    assert client.get(CREATE).status_code == 403
    assert client.get(reverse("availability:outage_list")).status_code == 403
    assert client.post(detail, {"cause": "mine now"}).status_code == 403
    assert client.post(reverse("availability:outage_end", args=[outage.pk])).status_code == 403
    outage.refresh_from_db()
    assert outage.cause == "Routing failed." and outage.ends_at is None


def test_staff_end_an_outage_now(provisioned, client, engineers, clock):
    org_a, _ = provisioned
    outage = Outage.objects.create(
        tenant=org_a.prod, starts_at=utc(2026, 11, 17, 7), scope="full", cause="x"
    )
    clock.to(NOW)
    client.force_login(engineers["L3"])
    response = client.post(
        reverse("availability:outage_end", args=[outage.pk]), {"version": 1, "ends_at": ""}
    )
    assert response.status_code == 302
    outage.refresh_from_db()
    assert outage.ends_at == NOW and outage.version == 2


def test_a_stale_correction_shows_a_message_and_changes_nothing(
    provisioned, client, engineers, clock
):
    org_a, _ = provisioned
    outage = Outage.objects.create(
        tenant=org_a.prod, starts_at=utc(2026, 11, 17, 7), scope="full", cause="x", version=3
    )
    clock.to(NOW)
    client.force_login(engineers["L1"])
    response = client.post(
        reverse("availability:outage_detail", args=[outage.pk]),
        {
            "scope": "partial",
            "starts_at": "2026-11-17T09:00",
            "ends_at": "",
            "cause": "y",
            "tickets": "",
            "version": 2,
        },
    )
    assert response.status_code == 400
    assert "Someone changed this outage" in response.content.decode()
    outage.refresh_from_db()
    assert (outage.scope, outage.cause) == ("full", "x")


def test_the_list_filters_outages(provisioned, client, manager, clock):
    org_a, org_b = provisioned
    for tenant, ends in ((org_a.prod, None), (org_b.prod, utc(2026, 11, 17, 8))):
        Outage.objects.create(
            tenant=tenant, starts_at=utc(2026, 11, 17, 7), ends_at=ends, scope="full", cause="x"
        )
    clock.to(NOW)
    client.force_login(manager)
    page = client.get(reverse("availability:outage_list"), {"ongoing": "true"}).content.decode()
    assert "alpha-prod" in page and "beta-prod" not in page
    assert (
        client.get(reverse("availability:outage_list"), {"since": "not a date"}).status_code == 200
    )


def test_an_outage_page_is_reached_from_the_tenants_month(provisioned, client, clock):
    org_a, _ = provisioned
    outage = Outage.objects.create(
        tenant=org_a.prod,
        starts_at=utc(2026, 11, 14, 21, 30),
        ends_at=utc(2026, 11, 14, 22, 30),
        scope="full",
        cause="Straddles the window start.",
    )
    clock.to(NOW + timedelta(days=20))
    client.force_login(org_a.contact)
    page = client.get(
        reverse("availability:tenant_month", args=[org_a.prod.pk, 2026, 11])
    ).content.decode()
    assert reverse("availability:outage_detail", args=[outage.pk]) in page
    assert "<td>30 min</td>" in page  # only its half before the window counts

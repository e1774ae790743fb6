"""Recording, correcting and ending outages (``availability.services``): the rules, the linked
tickets' timelines, and that a refusal saves nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from availability import services
from availability.models import Outage
from tenants.models import DataCentre
from tests.factories import TenantFactory
from tickets import services as ticket_services
from tickets.models import TicketEvent

from .conftest import utc

NOW = utc(2026, 11, 17, 12, 0)
FILED = utc(2026, 11, 17, 9, 0)


def _p1(org, tenant=None, when=FILED):
    return ticket_services.ticket_create(
        submitter=org.contact,
        tenant_id=(tenant or org.prod).pk,
        kind="incident",
        priority="P1",
        subject="Calls do not reach agents",
        description="Since 09:00.",
        now=when,
    )


def _outage_events(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket, kind="outage").order_by("pk"))


def test_an_outage_recorded_from_a_p1_is_linked_and_on_the_tickets_timeline(provisioned, engineers):
    org_a, _ = provisioned
    ticket = _p1(org_a)
    [outage] = services.outage_record(
        actor=engineers["L1"],
        tenants=[org_a.prod],
        starts_at=utc(2026, 11, 17, 9, 0),
        scope="full",
        cause="Routing database failed over.",
        tickets=[ticket],
        now=NOW,
    )
    assert outage.is_open and outage.is_full and outage.tenant == org_a.prod
    assert list(outage.tickets.all()) == [ticket]
    [event] = _outage_events(ticket)
    assert event.public is True and event.actor == engineers["L1"]
    assert event.data["outage_id"] == outage.pk and event.data["change"] == "recorded"
    # Shown in the organisation's calendar zone (Helsinki): 09:00 UTC is 11:00 EET.
    assert "Full outage of alpha-prod from Tue 17 Nov 2026 11:00 EET, still ongoing" in event.body


def test_a_data_centre_incident_records_one_outage_per_tenant_sharing_the_incident(
    provisioned, engineers
):
    org_a, org_b = provisioned
    ticket = _p1(org_b)
    outages = services.outage_record(
        actor=engineers["L2"],
        tenants=[org_a.prod, org_b.prod, org_a.prod],
        starts_at=utc(2026, 11, 17, 9, 0),
        ends_at=utc(2026, 11, 17, 9, 45),
        scope="full",
        cause="Frankfurt network outage.",
        tickets=[ticket],
        now=NOW,
    )
    assert [o.tenant for o in outages] == [org_a.prod, org_b.prod]
    assert len({o.incident for o in outages}) == 1
    # The ticket is linked to its own tenant's outage only.
    assert list(outages[0].tickets.all()) == []
    assert list(outages[1].tickets.all()) == [ticket]


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"starts_at": NOW + timedelta(minutes=1)}, "starts_at", "starts_in_future"),
        ({"ends_at": utc(2026, 11, 17, 8, 0)}, "ends_at", "ends_before_start"),
        ({"ends_at": NOW + timedelta(hours=1)}, "ends_at", "ends_in_future"),
        ({"tenants": []}, "tenants", "no_tenants"),
        ({"cause": "   "}, "cause", "cause_required"),
    ],
)
def test_bad_times_or_missing_facts_are_refused_and_nothing_is_saved(
    provisioned, engineers, fields, field, code
):
    org_a, _ = provisioned
    kwargs = {
        "actor": engineers["L1"],
        "tenants": [org_a.prod],
        "starts_at": utc(2026, 11, 17, 9, 0),
        "scope": "full",
        "cause": "Down.",
        "now": NOW,
        **fields,
    }
    with pytest.raises(ValidationError) as refused:
        services.outage_record(**kwargs)
    assert refused.value.error_dict[field][0].code == code
    assert not Outage.objects.exists()


def test_a_ticket_of_another_tenant_cannot_be_linked_and_nothing_is_saved(provisioned, engineers):
    org_a, org_b = provisioned
    foreign = _p1(org_b)
    with pytest.raises(ValidationError) as refused:
        services.outage_record(
            actor=engineers["L1"],
            tenants=[org_a.prod],
            starts_at=utc(2026, 11, 17, 9, 0),
            scope="full",
            cause="Down.",
            tickets=[foreign],
            now=NOW,
        )
    assert refused.value.error_dict["tickets"][0].code == "ticket_other_tenant"
    assert "beta-prod" in refused.value.error_dict["tickets"][0].message
    assert not Outage.objects.exists()
    assert _outage_events(foreign) == []


def test_a_service_request_cannot_be_linked(provisioned, engineers):
    org_a, _ = provisioned
    request = ticket_services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="service_request",
        request_size="minor",
        subject="Add a queue",
        description="Please.",
        now=utc(2026, 11, 17, 9, 0),
    )
    with pytest.raises(ValidationError) as refused:
        services.outage_record(
            actor=engineers["L1"],
            tenants=[org_a.prod],
            starts_at=utc(2026, 11, 17, 9, 0),
            scope="full",
            cause="Down.",
            tickets=[request],
            now=NOW,
        )
    assert refused.value.error_dict["tickets"][0].code == "ticket_not_incident"


def test_customers_cannot_record_outages(provisioned):
    org_a, _ = provisioned
    with pytest.raises(PermissionDenied):
        services.outage_record(
            actor=org_a.admin,
            tenants=[org_a.prod],
            starts_at=utc(2026, 11, 17, 9, 0),
            scope="full",
            cause="Down.",
            now=NOW,
        )
    assert not Outage.objects.exists()


def _recorded(org, engineers, ticket=None):
    [outage] = services.outage_record(
        actor=engineers["L1"],
        tenants=[org.prod],
        starts_at=utc(2026, 11, 17, 9, 0),
        scope="full",
        cause="Down.",
        tickets=[ticket] if ticket else [],
        now=NOW,
    )
    return outage


def test_a_correction_is_written_on_the_linked_tickets_and_bumps_the_version(
    provisioned, engineers
):
    org_a, _ = provisioned
    first, second = _p1(org_a), _p1(org_a)
    outage = _recorded(org_a, engineers, first)
    updated = services.outage_update(
        outage=outage,
        actor=engineers["L2"],
        starts_at=utc(2026, 11, 17, 8, 50),
        ends_at=utc(2026, 11, 17, 10, 0),
        scope="partial",
        cause="Only voice was affected.",
        tickets=[second],
        version=outage.version,
        now=NOW,
    )
    assert updated.version == 2 and updated.scope == "partial"
    assert list(updated.tickets.all()) == [second]
    assert [e.data["change"] for e in _outage_events(first)] == ["recorded", "unlinked"]
    assert [e.data["change"] for e in _outage_events(second)] == ["linked"]


def test_a_stale_correction_is_refused(provisioned, engineers):
    org_a, _ = provisioned
    outage = _recorded(org_a, engineers)
    services.outage_end(outage=outage, actor=engineers["L1"], ends_at=NOW, version=1, now=NOW)
    with pytest.raises(ValidationError) as refused:
        services.outage_update(
            outage=outage,
            actor=engineers["L1"],
            starts_at=outage.starts_at,
            ends_at=None,
            scope="full",
            cause="Down.",
            tickets=[],
            version=1,
            now=NOW,
        )
    assert refused.value.code == "outage_changed"
    outage.refresh_from_db()
    assert outage.ends_at == NOW


def test_ending_the_whole_incident_ends_every_ongoing_outage_recorded_with_it(
    provisioned, engineers
):
    org_a, org_b = provisioned
    ticket = _p1(org_a)
    other = TenantFactory(organisation=org_b.org, data_centre=DataCentre.US_WEST)
    outages = services.outage_record(
        actor=engineers["L1"],
        tenants=[org_a.prod, org_b.prod, other],
        starts_at=utc(2026, 11, 17, 9, 0),
        scope="full",
        cause="Data centre down.",
        tickets=[ticket],
        now=NOW,
    )
    ended = services.outage_end(
        outage=outages[0],
        actor=engineers["L1"],
        ends_at=utc(2026, 11, 17, 11, 0),
        version=1,
        whole_incident=True,
        now=NOW,
    )
    assert len(ended) == 3
    assert set(Outage.objects.values_list("ends_at", flat=True)) == {utc(2026, 11, 17, 11, 0)}
    assert [e.data["change"] for e in _outage_events(ticket)] == ["recorded", "ended"]
    with pytest.raises(ValidationError) as refused:
        services.outage_end(
            outage=outages[0], actor=engineers["L1"], ends_at=NOW, version=None, now=NOW
        )
    assert refused.value.code == "already_ended"

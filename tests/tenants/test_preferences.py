"""A person's time zone and mail choices: defaults, the page, and the rules that keep P1 alerts on."""

from zoneinfo import ZoneInfo

from django.urls import reverse

from tenants import services
from tenants.models import DataCentre
from tenants.preferences import Mail, receives, time_zone_of
from tests.factories import TenantFactory


def test_a_new_contact_gets_the_zone_of_the_main_tenants_data_centre(org_a, org_b):
    TenantFactory(organisation=org_b.org, name="beta-us", data_centre=DataCentre.US_WEST)
    org_b.org.tenants.exclude(name="beta-us").update(data_centre=DataCentre.US_WEST)
    contact = services.contact_create(
        actor=org_b.admin,
        organisation_id=org_b.org.pk,
        email="new@beta.example",
        full_name="New Person",
        contact_role="contact",
    )
    assert contact.time_zone == "America/Los_Angeles"
    assert time_zone_of(contact) == ZoneInfo("America/Los_Angeles")


def test_staff_without_a_choice_see_the_vendors_zone(engineers, settings):
    assert time_zone_of(engineers["L2"]) == ZoneInfo(settings.TIME_ZONE)


def test_pages_show_times_in_the_persons_zone(client, org_a):
    org_a.contact.time_zone = "Australia/Sydney"
    org_a.contact.save(update_fields=["time_zone"])
    client.force_login(org_a.contact)
    assert "times shown in Australia/Sydney" in client.get(reverse("home")).content.decode()


def test_a_person_chooses_their_zone_and_mail(client, org_a):
    client.force_login(org_a.contact)
    page = client.get(reverse("preferences"))
    assert page.status_code == 200
    response = client.post(
        reverse("preferences"),
        {"time_zone": "Europe/Helsinki", "mail": [Mail.TICKET_UPDATES]},
    )
    assert response.status_code == 302
    org_a.contact.refresh_from_db()
    assert org_a.contact.time_zone == "Europe/Helsinki"
    assert sorted(org_a.contact.quiet_mail) == sorted([Mail.FILED, Mail.ONBOARDING])
    assert receives(org_a.contact, Mail.TICKET_UPDATES)
    assert not receives(org_a.contact, Mail.FILED)


def test_an_unknown_zone_or_a_staff_kind_of_mail_is_refused_and_nothing_saved(client, org_a):
    client.force_login(org_a.contact)
    for data in (
        {"time_zone": "Mars/Olympus", "mail": []},
        {"time_zone": "Europe/Helsinki", "mail": [Mail.SLA_BREACHES]},
    ):
        assert client.post(reverse("preferences"), data).status_code == 400
    org_a.contact.refresh_from_db()
    assert org_a.contact.quiet_mail == []


def test_p1_alerts_stay_on_for_the_on_duty_level_and_managers(engineers, manager):
    for person in (engineers["L1"], engineers["L2"], manager):
        person.quiet_mail = [Mail.CRITICAL, Mail.SLA_BREACHES]
        person.save(update_fields=["quiet_mail"])
    assert receives(engineers["L1"], Mail.CRITICAL, priority="P1")
    assert not receives(engineers["L1"], Mail.CRITICAL, priority="P2")
    assert not receives(engineers["L2"], Mail.CRITICAL, priority="P1")
    assert receives(manager, Mail.CRITICAL, priority="P1")
    assert receives(manager, Mail.SLA_BREACHES, priority="P1")
    assert not receives(manager, Mail.SLA_BREACHES, priority="P3")

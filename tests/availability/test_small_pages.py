"""The notice subscription page, a tenant's 12 months and one month, and the statement preview."""

from datetime import timedelta

from django.urls import reverse

from availability.models import AvailabilityTarget, MaintenanceSubscription, Outage
from availability.statements import statement_for

from .conftest import local, utc

NOTICES = reverse("availability:notices")


# --- notices -------------------------------------------------------------------------------


def test_a_contact_switches_their_own_notices_on_and_off(provisioned, client):
    org_a, _ = provisioned
    client.force_login(org_a.contact)
    page = client.get(NOTICES).content.decode()
    assert "You are <strong>not subscribed</strong>" in page
    assert "Who in Alpha gets them" not in page  # only customer admins see the list
    assert client.post(NOTICES, {"subscribed": "1"}).status_code == 302
    assert MaintenanceSubscription.objects.get(user=org_a.contact).subscribed
    client.post(NOTICES, {"subscribed": "0"})
    assert not MaintenanceSubscription.objects.get(user=org_a.contact).subscribed


def test_a_bad_choice_changes_nothing(provisioned, client):
    org_a, _ = provisioned
    client.force_login(org_a.contact)
    response = client.post(NOTICES, {"subscribed": "maybe"})
    assert response.status_code == 400 and "Choose on or off." in response.content.decode()
    assert not MaintenanceSubscription.objects.exists()


def test_a_customer_admin_sees_who_in_their_organisation_subscribed(provisioned, client):
    org_a, org_b = provisioned
    for user in (org_a.contact, org_b.contact):
        client.force_login(user)
        client.post(NOTICES, {"subscribed": "1"})
    client.force_login(org_a.admin)
    page = client.get(NOTICES).content.decode()
    table = page.split('id="subscribers"', 1)[1].split("</table>", 1)[0]
    assert "contact@alpha.example</td><td>Contact</td><td>Subscribed" in table
    assert (
        'admin@alpha.example</td><td>Main contact</td><td><span class="muted">Not subscribed'
        in table
    )
    assert "beta" not in table


def test_staff_have_no_notice_settings(provisioned, client, manager):
    client.force_login(manager)
    assert client.get(NOTICES).status_code == 403
    assert client.post(NOTICES, {"subscribed": "1"}).status_code == 403


# --- a tenant's months ---------------------------------------------------------------------


def test_a_tenants_12_months_are_a_chart_and_a_table(provisioned, client, clock):
    org_a, _ = provisioned
    start = utc(2026, 1, 14, 9)
    Outage.objects.create(
        tenant=org_a.prod,
        starts_at=start,
        ends_at=start + timedelta(minutes=40),
        scope="full",
        cause="x",
    )
    clock.to(local(2026, 6, 10, 12))
    client.force_login(org_a.contact)
    page = client.get(reverse("availability:tenant", args=[org_a.prod.pk])).content.decode()
    assert page.count('<rect class="bar ') == 12
    assert '<rect class="bar bar-below"' in page and "<title>Jan 2026: 99.908 %</title>" in page
    assert '<line class="target"' in page
    row = page.split('data-month="2026-01"', 1)[1].split("</tr>", 1)[0]
    assert "99.908 %" in row and "40 min" in row and "No" in row
    # Newest first: the running month down to the same month a year before.
    months = [part.split('"', 1)[0] for part in page.split('data-month="')[1:]]
    assert (months[0], months[-1], len(months)) == ("2026-06", "2025-07", 12)


def test_a_tenants_month_shows_the_formula_with_its_numbers(provisioned, client, clock):
    org_a, _ = provisioned
    start = utc(2026, 1, 14, 9)
    Outage.objects.create(
        tenant=org_a.prod,
        starts_at=start,
        ends_at=start + timedelta(minutes=40),
        scope="full",
        cause="x",
    )
    clock.to(local(2026, 3, 1))
    client.force_login(org_a.contact)
    page = client.get(
        reverse("availability:tenant_month", args=[org_a.prod.pk, 2026, 1])
    ).content.decode()
    assert "(44,640.00 − 960.00 − 40.00) ÷ (44,640.00 − 960.00) = 99.908 %" in page
    assert "34.94" in page  # minutes the target allows


def test_a_month_without_an_availability_target_shows_a_dash_for_the_allowance(
    provisioned, client, clock
):
    org_a, _ = provisioned
    AvailabilityTarget.objects.all().delete()  # an administrator removed them all
    clock.to(local(2026, 3, 1))
    client.force_login(org_a.contact)
    response = client.get(reverse("availability:tenant_month", args=[org_a.prod.pk, 2026, 1]))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<span class="value">–</span><span class="label">Minutes the target allows' in page
    # Neither green nor red: there is nothing to meet.
    assert '<span class="value" data-testid="availability">' in page
    assert "Availability (no target set)" in page
    assert "(44,640.00 − 960.00 − 0.00) ÷ (44,640.00 − 960.00)" in page


def test_a_month_out_of_range_is_not_found(provisioned, client):
    org_a, _ = provisioned
    client.force_login(org_a.contact)
    for year, month in ((2026, 13), (1999, 5), (2026, 0)):
        url = reverse("availability:tenant_month", args=[org_a.prod.pk, year, month])
        assert client.get(url).status_code == 404


# --- statements ----------------------------------------------------------------------------


def test_a_manager_previews_a_statement_with_the_page_figure(provisioned, client, manager, clock):
    org_a, _ = provisioned
    start = utc(2026, 12, 9, 10)
    Outage.objects.create(
        tenant=org_a.prod,
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
        scope="full",
        cause="x",
    )
    clock.to(local(2027, 1, 2))
    client.force_login(manager)
    url = reverse("availability:statement_preview", args=[org_a.org.pk, 2026, 12])
    page = client.get(url).content.decode()
    assert "SLA statement of Alpha for December 2026" in page
    assert "- alpha-prod (Production): 99.885 %, below target" in page
    assert "It goes to admin@alpha.example." in page
    statement = statement_for(org_a.org, year=2026, month=12, now=local(2027, 1, 2))
    assert str(statement.tenants[0].percent) == "99.885"


def test_statements_are_for_managers(provisioned, client, engineers):
    org_a, _ = provisioned
    url = reverse("availability:statement_preview", args=[org_a.org.pk, 2026, 12])
    client.force_login(engineers["L1"])
    assert client.get(url).status_code == 403
    assert client.get(reverse("availability:statement_index")).status_code == 403
    client.force_login(org_a.admin)
    assert client.get(url).status_code == 403


def test_the_statement_index_picks_and_explains(provisioned, client, manager):
    org_a, _ = provisioned
    client.force_login(manager)
    index = reverse("availability:statement_index")
    response = client.get(index, {"organisation": org_a.org.pk, "month": "2026-12"})
    assert response["Location"] == reverse(
        "availability:statement_preview", args=[org_a.org.pk, 2026, 12]
    )
    response = client.get(index, {"organisation": "999999", "month": "December"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()

"""The demo data includes an onboarding in progress (issue 10, item 7)."""

from datetime import date, datetime
from io import StringIO

import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from onboarding.models import OnboardingChecklist
from tenants.models import Tenant, User

from ..tickets.conftest import local


def test_the_demo_has_a_checklist_in_progress_written_through_the_rules(db, client):
    with time_machine.travel(local(2026, 12, 1, 10, 0), tick=False):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        assert "Litware's onboarding is under way" in out.getvalue()
        call_command("seed_demo", stdout=StringIO())  # a second run changes nothing
    checklist = OnboardingChecklist.objects.get(organisation__slug="litware")
    assert OnboardingChecklist.objects.count() == 1
    signed = date(2026, 11, 16)
    assert checklist.signed_on == signed
    steps = {s.code: s for s in checklist.steps.all()}
    # The contract step is dated on the signing day, not the day the checklist was opened.
    contract_day = timezone.localtime(steps["contract"].done_at).date()
    assert contract_day == signed
    assert steps["tenant_provisioning"].done_at is not None
    assert steps["voice_vendor"].not_applicable
    assert steps["email_configuration"].is_overdue(date(2026, 12, 1))
    open_steps = [s for s in steps.values() if s.is_open]
    done = [s for s in steps.values() if s.done_at]
    assert open_steps and len(done) >= 5
    assert (
        Tenant.objects.filter(organisation=checklist.organisation, provisioned_at=None).count() == 0
    )
    assert Tenant.objects.get(name="litware-prod").provisioned_at.date() >= signed

    with time_machine.travel(local(2026, 12, 1, 10, 0), tick=True):
        client.force_login(User.objects.get(email="lena@litware.example"))
        page = client.get(reverse("home")).content.decode()
    assert "Open the onboarding checklist" in page
    assert "overdue" in page


def test_a_customer_that_went_live_sees_that_onboarding_is_complete(client, org_a):
    org_a.org.contract_signed_on = date(2025, 3, 3)
    org_a.org.go_live_on = date(2025, 5, 12)
    org_a.org.save()
    client.force_login(org_a.contact)
    page = client.get(reverse("onboarding:index")).content.decode()
    assert "Onboarding complete" in page
    assert "live since Mon 12 May 2025" in page
    assert "appears here once your contract is signed" not in page


def test_the_start_form_offers_only_customers_without_a_checklist_who_are_not_live(
    client, org_a, org_b, manager
):
    from tests.factories import OrganisationFactory

    org_b.org.go_live_on = date(2025, 5, 12)
    org_b.org.save()
    fresh = OrganisationFactory(name="Gamma", slug="gamma")
    client.force_login(manager)
    client.post(
        reverse("onboarding:start"), {"organisation": org_a.org.pk, "signed_on": "2026-11-16"}
    )
    page = client.get(reverse("onboarding:start")).content.decode()
    options = page[page.index('name="organisation"') : page.index("</select>")]
    assert f'value="{fresh.pk}"' in options
    assert f'value="{org_a.org.pk}"' not in options  # has a checklist now
    assert f'value="{org_b.org.pk}"' not in options  # live already
    response = client.post(
        reverse("onboarding:start"), {"organisation": org_b.org.pk, "signed_on": "2026-11-16"}
    )
    assert response.status_code == 200
    assert not OnboardingChecklist.objects.filter(organisation=org_b.org).exists()


def test_a_checklist_opened_days_after_signing_dates_the_contract_on_the_signing_day(
    org_a, manager
):
    from onboarding.services import onboarding_start

    checklist = onboarding_start(
        organisation=org_a.org,
        signed_on=date(2026, 11, 2),
        actor=manager,
        now=datetime.fromisoformat("2026-11-16T09:00:00+00:00"),
    )
    contract = checklist.steps.get(code="contract")
    assert timezone.localtime(contract.done_at).date() == date(2026, 11, 2)

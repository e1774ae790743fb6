"""Opening an onboarding checklist when a contract is signed (``onboarding_start``), from the
service, the admin action and changes to the planned go-live."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from onboarding.models import OnboardingChecklist, OnboardingStep
from onboarding.services import onboarding_set_go_live, onboarding_start
from tenants.models import User

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def _start(org, manager, signed_on=date(2026, 11, 16), planned_go_live=None):
    return onboarding_start(
        organisation=org,
        signed_on=signed_on,
        planned_go_live=planned_go_live,
        actor=manager,
        now=NOW,
    )


def test_it_opens_the_standard_steps_with_their_phase_party_and_due_date(org_a, manager):
    checklist = _start(org_a.org, manager, planned_go_live=date(2027, 2, 1))

    rows = list(checklist.steps.values_list("code", "phase", "responsible", "due_on"))
    assert rows == [
        ("contract", "provisioning", "customer", date(2026, 11, 16)),
        # Signed on Monday: five working days later is the next Monday.
        ("tenant_provisioning", "provisioning", "vendor", date(2026, 11, 23)),
        ("superuser_account", "provisioning", "vendor", date(2026, 11, 23)),
        ("kick_off_call", "configuration", "vendor", None),
        ("messaging", "configuration", "vendor", None),
        ("voice_vendor", "configuration", "vendor", None),
        ("voice_third_party", "configuration", "customer_operator", None),
        ("email_configuration", "configuration", "customer", None),
        ("chat_and_chatbot", "configuration", "customer", None),
        ("standard_api_integrations", "configuration", "customer_partner", None),
        ("testing", "go_live", "customer", date(2027, 2, 1)),
        # Two weeks before the planned go-live.
        ("go_live_schedule", "go_live", "customer", date(2027, 1, 18)),
    ]
    org_a.org.refresh_from_db()
    assert org_a.org.contract_signed_on == date(2026, 11, 16)
    assert checklist.started_by == manager


def test_the_contract_step_is_done_by_whoever_recorded_the_signing(org_a, manager):
    checklist = _start(org_a.org, manager)

    contract = checklist.steps.get(code="contract")
    assert (contract.done_at, contract.done_by) == (NOW, manager)
    assert checklist.steps.filter(done_at__isnull=False).count() == 1


def test_provisioning_skips_weekends_and_finnish_holidays(org_a, manager):
    # Christmas Eve, Christmas Day and Boxing Day 2026 fall on Thursday to Saturday.
    checklist = _start(org_a.org, manager, signed_on=date(2026, 12, 21))

    assert checklist.steps.get(code="tenant_provisioning").due_on == date(2026, 12, 30)


def test_a_second_checklist_for_the_same_customer_is_refused(org_a, manager):
    _start(org_a.org, manager)

    with pytest.raises(ValidationError) as caught:
        _start(org_a.org, manager, signed_on=date(2026, 12, 1))

    assert caught.value.code == "onboarding_exists"
    assert OnboardingChecklist.objects.count() == 1
    org_a.org.refresh_from_db()
    assert org_a.org.contract_signed_on == date(2026, 11, 16)


def test_a_go_live_before_the_signing_is_refused_and_nothing_is_saved(org_a, manager):
    with pytest.raises(ValidationError) as caught:
        _start(org_a.org, manager, planned_go_live=date(2026, 11, 1))

    assert caught.value.error_dict["planned_go_live"][0].code == "go_live_before_signing"
    assert not OnboardingChecklist.objects.exists()
    assert not OnboardingStep.objects.exists()


def test_a_customer_contact_cannot_start_an_onboarding(org_a):
    with pytest.raises(PermissionDenied):
        _start(org_a.org, org_a.admin)
    assert not OnboardingChecklist.objects.exists()


def test_a_new_planned_go_live_moves_the_open_go_live_steps(org_a, manager):
    checklist = _start(org_a.org, manager, planned_go_live=date(2027, 2, 1))
    checklist.steps.filter(code="testing").update(done_at=NOW)

    onboarding_set_go_live(checklist=checklist, planned_go_live=date(2027, 3, 1), actor=manager)

    checklist.refresh_from_db()
    assert checklist.planned_go_live_on == date(2027, 3, 1)
    assert checklist.steps.get(code="go_live_schedule").due_on == date(2027, 2, 15)
    # A step already done keeps its date.
    assert checklist.steps.get(code="testing").due_on == date(2027, 2, 1)


def test_the_admin_action_starts_the_onboarding_of_signed_customers(client, org_a, org_b):
    admin_user = User.objects.create_superuser(email="root@vendor.example", full_name="Root")
    org_a.org.contract_signed_on = date(2026, 11, 16)
    org_a.org.save()
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:tenants_organisation_changelist"),
        {"action": "start_onboarding", "_selected_action": [org_a.org.pk, org_b.org.pk]},
        follow=True,
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Alpha: onboarding started." in body
    assert "Beta: set the contract-signed date first." in body
    checklist = OnboardingChecklist.objects.get()
    assert (checklist.organisation, checklist.started_by) == (org_a.org, admin_user)

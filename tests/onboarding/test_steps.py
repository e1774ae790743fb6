"""Ticking, undoing and editing onboarding steps; provisioning starts SLA measurement."""

from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from onboarding.services import (
    onboarding_start,
    onboarding_step_complete,
    onboarding_step_reopen,
    onboarding_step_update,
)
from tests.factories import TenantFactory

NOW = datetime(2026, 11, 19, 12, 0, tzinfo=UTC)


@pytest.fixture
def checklist(org_a, manager):
    return onboarding_start(
        organisation=org_a.org, signed_on=date(2026, 11, 16), actor=manager, now=NOW
    )


def _step(checklist, code):
    return checklist.steps.get(code=code)


def test_a_customer_contact_ticks_a_step_of_their_own(checklist, org_a):
    step = onboarding_step_complete(
        step=_step(checklist, "email_configuration"), actor=org_a.contact, now=NOW
    )

    step.refresh_from_db()
    assert (step.done_at, step.done_by) == (NOW, org_a.contact)


def test_a_customer_cannot_tick_the_vendors_step(checklist, org_a):
    with pytest.raises(PermissionDenied):
        onboarding_step_complete(step=_step(checklist, "messaging"), actor=org_a.admin, now=NOW)
    assert _step(checklist, "messaging").done_at is None


def test_another_customer_cannot_tick_a_step(checklist, org_b):
    with pytest.raises(PermissionDenied):
        onboarding_step_complete(step=_step(checklist, "testing"), actor=org_b.admin, now=NOW)
    assert _step(checklist, "testing").done_at is None


def test_a_step_is_ticked_once(checklist, org_a, engineers):
    step = _step(checklist, "chat_and_chatbot")
    onboarding_step_complete(step=step, actor=org_a.contact, now=NOW)

    with pytest.raises(ValidationError) as caught:
        onboarding_step_complete(step=step, actor=engineers["L1"], now=NOW)

    assert caught.value.code == "step_done"
    step.refresh_from_db()
    assert step.done_by == org_a.contact


def test_completing_provisioning_starts_sla_measurement_of_new_tenants_only(
    checklist, org_a, engineers, django_capture_on_commit_callbacks
):
    earlier = datetime(2026, 10, 1, tzinfo=UTC)
    org_a.test.provisioned_at = earlier
    org_a.test.save()

    with django_capture_on_commit_callbacks(execute=True):
        onboarding_step_complete(
            step=_step(checklist, "tenant_provisioning"), actor=engineers["L3"], now=NOW
        )

    org_a.prod.refresh_from_db()
    org_a.test.refresh_from_db()
    assert org_a.prod.provisioned_at == NOW
    assert org_a.test.provisioned_at == earlier
    (ready,) = mail.outbox
    assert ready.subject == "Your tenant is ready: Alpha"
    assert sorted(ready.to) == ["admin@alpha.example", "contact@alpha.example"]
    assert "alpha-prod" in ready.body and "alpha-test" not in ready.body


def test_provisioning_without_a_tenant_is_refused(manager, engineers):
    org = TenantFactory().organisation
    org.tenants.all().delete()
    checklist = onboarding_start(
        organisation=org, signed_on=date(2026, 11, 16), actor=manager, now=NOW
    )

    with pytest.raises(ValidationError) as caught:
        onboarding_step_complete(
            step=_step(checklist, "tenant_provisioning"), actor=engineers["L3"], now=NOW
        )

    assert caught.value.code == "no_tenant_to_provision"
    assert _step(checklist, "tenant_provisioning").done_at is None


def test_a_tick_made_by_mistake_can_be_undone_but_provisioning_cannot(checklist, org_a, engineers):
    step = _step(checklist, "email_configuration")
    onboarding_step_complete(step=step, actor=org_a.contact, now=NOW)
    onboarding_step_reopen(step=step, actor=org_a.contact)
    step.refresh_from_db()
    assert (step.done_at, step.done_by) == (None, None)

    provisioning = _step(checklist, "tenant_provisioning")
    onboarding_step_complete(step=provisioning, actor=engineers["L3"], now=NOW)
    with pytest.raises(ValidationError) as caught:
        onboarding_step_reopen(step=provisioning, actor=engineers["L3"])
    assert caught.value.code == "step_final"
    assert _step(checklist, "tenant_provisioning").done_at == NOW


def test_staff_mark_a_step_not_ordered_and_it_can_no_longer_be_ticked(checklist, org_a, manager):
    step = onboarding_step_update(
        step=_step(checklist, "voice_third_party"),
        actor=manager,
        due_on=None,
        not_applicable=True,
        note="Voice comes from the vendor.",
    )
    assert step.not_applicable and step.note == "Voice comes from the vendor."

    with pytest.raises(ValidationError) as caught:
        onboarding_step_complete(step=step, actor=org_a.admin, now=NOW)
    assert caught.value.code == "step_not_applicable"


@pytest.mark.parametrize(
    ("code", "done", "error"),
    [
        ("tenant_provisioning", False, "step_required"),
        ("contract", True, "step_required"),
        ("kick_off_call", True, "done_step_not_applicable"),
    ],
)
def test_required_and_done_steps_cannot_be_marked_not_applicable(
    checklist, manager, code, done, error
):
    step = _step(checklist, code)
    if done and step.done_at is None:
        onboarding_step_complete(step=step, actor=manager, now=NOW)

    with pytest.raises(ValidationError) as caught:
        onboarding_step_update(step=step, actor=manager, due_on=None, not_applicable=True)

    assert caught.value.error_dict["not_applicable"][0].code == error
    assert _step(checklist, code).not_applicable is False


def test_customers_cannot_edit_steps(checklist, org_a):
    with pytest.raises(PermissionDenied):
        onboarding_step_update(
            step=_step(checklist, "testing"),
            actor=org_a.admin,
            due_on=date(2027, 1, 1),
            not_applicable=False,
        )
    assert _step(checklist, "testing").due_on is None

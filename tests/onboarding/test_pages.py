"""Onboarding pages: the customer's own checklist, the staff list (overdue first), starting an
onboarding and editing a step, over HTTP."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from onboarding.models import OnboardingChecklist
from onboarding.services import onboarding_start
from tests.factories import OrganisationFactory


def _start(org, manager, signed_on=None, **kwargs):
    return onboarding_start(
        organisation=org,
        signed_on=signed_on or timezone.localdate() - timedelta(days=1),
        actor=manager,
        **kwargs,
    )


def test_a_customer_sees_their_checklist_and_ticks_only_their_steps(client, org_a, manager):
    checklist = _start(org_a.org, manager)
    client.force_login(org_a.contact)

    response = client.get(reverse("onboarding:index"), follow=True)

    assert response.redirect_chain == [(reverse("onboarding:detail", args=[checklist.pk]), 302)]
    body = response.content.decode()
    assert "Onboarding of Alpha" in body
    email = checklist.steps.get(code="email_configuration")
    messaging = checklist.steps.get(code="messaging")
    assert reverse("onboarding:step_done", args=[email.pk]) in body
    assert reverse("onboarding:step_done", args=[messaging.pk]) not in body
    assert reverse("onboarding:step_edit", args=[email.pk]) not in body

    response = client.post(reverse("onboarding:step_done", args=[email.pk]))
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.done_by == org_a.contact

    assert client.post(reverse("onboarding:step_done", args=[messaging.pk])).status_code == 403
    messaging.refresh_from_db()
    assert messaging.done_at is None


def test_a_customer_without_onboarding_is_told_so(client, org_a):
    client.force_login(org_a.contact)
    response = client.get(reverse("onboarding:index"))
    assert response.status_code == 200
    assert "There is no onboarding checklist for Alpha" in response.content.decode()


def test_the_customer_home_page_links_to_the_open_checklist(client, org_a, manager):
    checklist = _start(org_a.org, manager)
    client.force_login(org_a.admin)
    body = client.get(reverse("home")).content.decode()
    assert reverse("onboarding:detail", args=[checklist.pk]) in body
    assert "12 steps, 11 still open, 6 of them on your side" in body


def test_staff_see_every_checklist_with_overdue_ones_first(
    client, org_a, org_b, manager, engineers, django_assert_max_num_queries
):
    today = timezone.localdate()
    on_time = _start(org_a.org, manager)
    late = _start(org_b.org, manager, signed_on=today - timedelta(days=30))
    later = _start(OrganisationFactory(name="Gamma"), manager, signed_on=today - timedelta(days=20))
    for n in range(5):
        _start(OrganisationFactory(name=f"Zeta {n}"), manager)
    client.force_login(engineers["L2"])

    with django_assert_max_num_queries(12):
        response = client.get(reverse("onboarding:index"))

    body = response.content.decode()
    positions = [body.index(f">{c.organisation.name}<") for c in (late, later, on_time)]
    assert positions == sorted(positions)
    assert "Tenant provisioning" in body and "since" in body


def test_customers_cannot_reach_the_staff_pages(client, org_a, manager):
    checklist = _start(org_a.org, manager)
    step = checklist.steps.get(code="testing")
    client.force_login(org_a.admin)

    assert client.get(reverse("onboarding:start")).status_code == 403
    assert client.get(reverse("onboarding:step_edit", args=[step.pk])).status_code == 403
    response = client.post(
        reverse("onboarding:go_live", args=[checklist.pk]), {"planned_go_live": "2027-03-01"}
    )
    assert response.status_code == 403
    checklist.refresh_from_db()
    assert checklist.planned_go_live_on is None


def test_staff_start_an_onboarding_from_the_page(client, org_a, manager):
    client.force_login(manager)
    form = client.get(reverse("onboarding:start")).content.decode()
    assert "Alpha" in form

    response = client.post(
        reverse("onboarding:start"),
        {"organisation": org_a.org.pk, "signed_on": "2026-11-16", "planned_go_live": "2027-02-01"},
    )

    checklist = OnboardingChecklist.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("onboarding:detail", args=[checklist.pk])
    assert checklist.planned_go_live_on == date(2027, 2, 1)


def test_a_go_live_before_signing_is_shown_on_the_form_and_nothing_is_saved(client, org_a, manager):
    client.force_login(manager)
    response = client.post(
        reverse("onboarding:start"),
        {"organisation": org_a.org.pk, "signed_on": "2026-11-16", "planned_go_live": "2026-11-01"},
    )
    assert response.status_code == 200
    assert "The planned go-live cannot be before the contract was signed." in (
        response.content.decode()
    )
    assert not OnboardingChecklist.objects.exists()


def test_staff_mark_a_step_not_applicable_and_see_why_a_required_one_cannot_be(
    client, org_a, manager
):
    checklist = _start(org_a.org, manager)
    client.force_login(manager)
    voice = checklist.steps.get(code="voice_vendor")

    response = client.post(
        reverse("onboarding:step_edit", args=[voice.pk]),
        {"due_on": "", "not_applicable": "on", "note": "3rd-party trunk"},
    )
    assert response.status_code == 302
    voice.refresh_from_db()
    assert (voice.not_applicable, voice.note) == (True, "3rd-party trunk")

    provisioning = checklist.steps.get(code="tenant_provisioning")
    response = client.post(
        reverse("onboarding:step_edit", args=[provisioning.pk]),
        {"due_on": "2026-12-01", "not_applicable": "on", "note": ""},
    )
    assert response.status_code == 200
    assert "Every order includes “Tenant provisioning”." in response.content.decode()
    provisioning.refresh_from_db()
    assert provisioning.not_applicable is False

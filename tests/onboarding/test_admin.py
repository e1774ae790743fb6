"""The onboarding admin follows the staff pages' rules: a new planned go-live moves the testing
and go-live schedule steps, and steps are not edited around their rules."""

from datetime import date

from django.urls import reverse

from onboarding.services import onboarding_start
from tests.factories import UserFactory


def test_the_planned_go_live_set_in_the_admin_moves_its_steps(client, org_a, manager):
    checklist = onboarding_start(
        organisation=org_a.org, signed_on=date(2026, 11, 16), planned_go_live=None, actor=manager
    )
    client.force_login(UserFactory(email="root@support.example", is_staff=True, is_superuser=True))
    url = reverse("admin:onboarding_onboardingchecklist_change", args=[checklist.pk])
    steps = checklist.steps.count()
    response = client.post(
        url,
        {
            "planned_go_live_on": "2027-03-01",
            "steps-TOTAL_FORMS": steps,
            "steps-INITIAL_FORMS": steps,
            **{f"steps-{i}-id": step.pk for i, step in enumerate(checklist.steps.all())},
            **{f"steps-{i}-checklist": checklist.pk for i in range(steps)},
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    checklist.refresh_from_db()
    assert checklist.planned_go_live_on == date(2027, 3, 1)
    due = dict(checklist.steps.values_list("code", "due_on"))
    assert due["testing"] == date(2027, 3, 1)
    assert due["go_live_schedule"] == date(2027, 2, 15)


def test_steps_are_read_only_in_the_admin(client, org_a, manager):
    checklist = onboarding_start(
        organisation=org_a.org, signed_on=date(2026, 11, 16), planned_go_live=None, actor=manager
    )
    client.force_login(UserFactory(email="root@support.example", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:onboarding_onboardingchecklist_change", args=[checklist.pk]))
    assert 'name="steps-0-due_on"' not in page.content.decode()

"""Daily onboarding reminders (``onboarding_remind``) with a fixed ``now``: 08:00 local on
working days, once per step and day, the right side, provisioning flagged to managers."""

import threading
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection

from onboarding.models import OnboardingReminder
from onboarding.reminders import onboarding_remind
from onboarding.services import onboarding_start

HELSINKI = ZoneInfo("Europe/Helsinki")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """``onboarding_remind`` as beat runs it: its mail goes out on commit."""

    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return onboarding_remind(now=now)

    return run


@pytest.fixture
def checklist(org_a, manager):
    """Signed Monday 16 November 2026: provisioning due Monday 23rd; one customer step due
    Wednesday 18th, one vendor step due Thursday 19th."""
    checklist = onboarding_start(
        organisation=org_a.org,
        signed_on=date(2026, 11, 16),
        actor=manager,
        now=local(2026, 11, 16, 9, 0),
    )
    checklist.steps.filter(code="email_configuration").update(due_on=date(2026, 11, 18))
    checklist.steps.filter(code="kick_off_call").update(due_on=date(2026, 11, 19))
    return checklist


def _subjects():
    return sorted(m.subject for m in mail.outbox)


def test_overdue_steps_are_reminded_from_eight_oclock_local_time(checklist, remind):
    assert remind(local(2026, 11, 20, 7, 59)).steps_reminded == 0
    assert mail.outbox == []

    result = remind(local(2026, 11, 20, 8, 0))

    assert (result.steps_reminded, result.emails, result.provisioning_flagged) == (2, 2, 0)
    by_subject = {m.subject: m for m in mail.outbox}
    customer = by_subject["Onboarding of Alpha: 1 step on your side overdue"]
    # The customer side is the organisation's main contacts and technical administrators.
    assert customer.to == ["admin@alpha.example"]
    assert "Email configuration (Customer), due Wed 18 Nov 2026" in customer.body
    assert f"/onboarding/{checklist.pk}/" in customer.body
    vendor = by_subject["Onboarding of Alpha: 1 step of the vendor overdue"]
    assert vendor.to == ["manager@support.example"]
    assert "Kick-off call (Vendor), due Thu 19 Nov 2026" in vendor.body


def test_each_step_is_reminded_once_a_day(checklist, remind):
    remind(local(2026, 11, 20, 8, 0))
    assert remind(local(2026, 11, 20, 9, 0)).steps_reminded == 0
    assert remind(local(2026, 11, 20, 8, 0)).steps_reminded == 0  # a redelivered task
    assert len(mail.outbox) == 2

    # No mail at the weekend; Monday brings the next reminder of both steps.
    assert remind(local(2026, 11, 21, 8, 0)).steps_reminded == 0
    assert remind(local(2026, 11, 23, 8, 0)).steps_reminded == 2
    assert len(mail.outbox) == 4
    assert OnboardingReminder.objects.count() == 4


def test_provisioning_past_five_working_days_is_flagged_to_the_managers(
    checklist, remind, settings
):
    settings.ONBOARDING_VENDOR_EMAILS = ["onboarding@vendor.example"]
    # Due Monday 23rd: not overdue that day.
    remind(local(2026, 11, 23, 8, 0))
    assert not any("Provisioning" in s for s in _subjects())
    mail.outbox.clear()

    result = remind(local(2026, 11, 24, 8, 0))

    assert result.provisioning_flagged == 1
    (flag,) = [m for m in mail.outbox if m.subject.startswith("Provisioning overdue")]
    assert flag.subject == "Provisioning overdue: Alpha, 6 working days since signing"
    assert sorted(flag.to) == ["manager@support.example", "onboarding@vendor.example"]
    # Other vendor steps go to the onboarding team alone.
    (vendor,) = [m for m in mail.outbox if "Kick-off call" in m.body]
    assert vendor.to == ["onboarding@vendor.example"]
    reminder = OnboardingReminder.objects.get(step__code="tenant_provisioning")
    assert reminder.flagged_to_managers is True
    assert sorted(reminder.recipients) == sorted(flag.to)


def test_done_not_applicable_and_not_yet_due_steps_are_not_reminded(
    checklist, remind, org_a, manager
):
    checklist.steps.filter(code="email_configuration").update(
        done_at=local(2026, 11, 19, 10, 0), done_by=org_a.contact
    )
    checklist.steps.filter(code="kick_off_call").update(not_applicable=True)
    checklist.steps.filter(code="testing").update(due_on=date(2026, 11, 20))

    assert remind(local(2026, 11, 20, 8, 0)).steps_reminded == 0
    assert mail.outbox == []


def test_eight_oclock_follows_helsinki_summer_time(org_a, manager, remind):
    onboarding_start(
        organisation=org_a.org,
        signed_on=date(2026, 7, 6),
        actor=manager,
        now=local(2026, 7, 6, 9, 0),
    )
    # Provisioning was due Monday 13 July; 08:00 EEST on Wednesday 15th is 05:00 UTC.
    assert remind(datetime(2026, 7, 15, 4, 59, tzinfo=UTC)).provisioning_flagged == 0
    assert remind(datetime(2026, 7, 15, 5, 0, tzinfo=UTC)).provisioning_flagged == 1


def test_a_customer_without_administrators_reminds_every_contact(checklist, org_a, remind):
    org_a.admin.contact_role = "contact"
    org_a.admin.save()

    remind(local(2026, 11, 20, 8, 0))

    (customer,) = [m for m in mail.outbox if "Email configuration" in m.body]
    assert customer.to == ["admin@alpha.example", "contact@alpha.example"]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(org_a, manager):
    checklist = onboarding_start(
        organisation=org_a.org,
        signed_on=date(2026, 11, 2),
        actor=manager,
        now=local(2026, 11, 2, 9, 0),
    )
    checklist.steps.update(due_on=date(2026, 11, 10))
    overdue = checklist.steps.filter(done_at__isnull=True).count()
    now = local(2026, 11, 20, 8, 0)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(onboarding_remind(now=now))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(r.steps_reminded for r in results) == overdue
    assert OnboardingReminder.objects.count() == overdue
    reminded = [line for m in mail.outbox for line in m.body.splitlines() if line.startswith("- ")]
    assert len(reminded) == overdue
    assert len(mail.outbox) == 3  # the customer side, the vendor side, the provisioning flag

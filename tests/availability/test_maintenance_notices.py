"""Maintenance notices (§5.1.3), sent by ``maintenance_notices_send`` with a fixed ``now``: the
Tuesday notice, start and completion, once per window and contact, catching up after downtime
but never announcing a window that has already started."""

from datetime import date, timedelta

import pytest
from django.core import mail

from availability import services
from availability.models import MaintenanceNotice
from availability.notices import maintenance_notices_send
from tenants.models import ContactRole, DataCentre
from tests.factories import ContactFactory, OrganisationFactory, TenantFactory

from .conftest import local, provision, utc

SATURDAY = utc(2026, 11, 14, 22, 0)  # Europe's weekly window, Sat 22:00 – Sun 02:00 UTC
TUESDAY_9 = local(2026, 11, 10, 9, 0)  # the Tuesday before, 09:00 Helsinki (07:00 UTC)


@pytest.fixture
def europe_window(provisioned, manager):
    window = services.maintenance_window_open(
        region="europe", planned_starts_at=SATURDAY, actor=manager
    )
    return services.maintenance_window_set_used(
        window=window, actor=manager, used=True, summary="Security patches", now=utc(2026, 11, 2)
    )


@pytest.fixture
def subscribers(provisioned):
    org_a, org_b = provisioned
    for user in (org_a.admin, org_b.contact):
        services.maintenance_subscription_set(user=user, subscribed=True)
    return org_a.admin, org_b.contact


def _sent(kind=None):
    notices = MaintenanceNotice.objects.all()
    if kind:
        notices = notices.filter(kind=kind)
    return sorted(notices.values_list("kind", "email"))


def test_the_preliminary_notice_goes_out_on_the_tuesday_before_at_nine(
    europe_window, subscribers, run_job
):
    assert run_job(maintenance_notices_send, now=TUESDAY_9 - timedelta(minutes=1)).notices == 0
    result = run_job(maintenance_notices_send, now=TUESDAY_9)
    assert result.notices == 2
    assert _sent() == [
        ("preliminary", "admin@alpha.example"),
        ("preliminary", "contact@beta.example"),
    ]
    # One email per contact, so that no organisation sees another's addresses.
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@alpha.example", "contact@beta.example"]
    assert all(len(m.to) == 1 for m in mail.outbox)
    message = next(m for m in mail.outbox if m.to == ["admin@alpha.example"])
    assert message.subject == "Maintenance planned in Europe: Sat 14 Nov 2026 22:00 UTC"
    assert "Saturday 14 Nov 2026 22:00 – Sunday 15 Nov 02:00 UTC" in message.body
    assert "Security patches" in message.body
    assert "Hello Alpha," in message.body
    assert "Your tenants in Europe: alpha-prod, alpha-test" in message.body
    assert "http://127.0.0.1:8000/status/" in message.body


def test_each_notice_is_sent_once_when_the_job_runs_again(europe_window, subscribers, run_job):
    run_job(maintenance_notices_send, now=TUESDAY_9)
    assert run_job(maintenance_notices_send, now=TUESDAY_9 + timedelta(minutes=2)).notices == 0
    assert run_job(maintenance_notices_send, now=utc(2026, 11, 12, 12)).notices == 0
    assert len(mail.outbox) == 2


def test_start_and_completion_follow_the_window(europe_window, subscribers, run_job):
    run_job(maintenance_notices_send, now=TUESDAY_9)
    assert run_job(maintenance_notices_send, now=SATURDAY).notices == 2
    assert run_job(maintenance_notices_send, now=SATURDAY + timedelta(hours=3)).notices == 0
    assert run_job(maintenance_notices_send, now=SATURDAY + timedelta(hours=4)).notices == 2
    assert _sent("start") == [("start", "admin@alpha.example"), ("start", "contact@beta.example")]
    assert [m.subject for m in mail.outbox][-2:] == ["Maintenance completed in Europe"] * 2
    assert len(mail.outbox) == 6


def test_after_downtime_the_job_catches_up_but_never_announces_a_started_window(
    europe_window, subscribers, run_job
):
    # Beat was down from Monday until Saturday 23:00, inside the window.
    assert run_job(maintenance_notices_send, now=SATURDAY + timedelta(hours=1)).notices == 2
    assert _sent() == [("start", "admin@alpha.example"), ("start", "contact@beta.example")]
    # Down again until Sunday noon: the completion notice still goes out, once.
    assert run_job(maintenance_notices_send, now=utc(2026, 11, 15, 12)).notices == 2
    assert run_job(maintenance_notices_send, now=utc(2026, 11, 15, 13)).notices == 0
    assert _sent("preliminary") == []


def test_a_late_preliminary_notice_still_goes_out_before_the_start(
    europe_window, subscribers, run_job
):
    assert run_job(maintenance_notices_send, now=SATURDAY - timedelta(minutes=1)).notices == 2
    assert [k for k, _ in _sent()] == ["preliminary", "preliminary"]


def test_a_completion_notice_more_than_a_day_late_is_not_sent(europe_window, subscribers, run_job):
    assert run_job(maintenance_notices_send, now=utc(2026, 11, 16, 2, 1)).notices == 0
    assert mail.outbox == []


def test_notices_are_held_back_from_contacts_who_did_not_subscribe_or_unsubscribed(
    europe_window, subscribers, run_job
):
    org_a_admin, org_b_contact = subscribers
    services.maintenance_subscription_set(user=org_b_contact, subscribed=False)
    run_job(maintenance_notices_send, now=TUESDAY_9)
    # alpha's plain contact never subscribed; beta's contact switched it off.
    assert _sent() == [("preliminary", "admin@alpha.example")]


def test_inactive_contacts_and_terminated_organisations_get_nothing(
    europe_window, subscribers, run_job
):
    org_a_admin, org_b_contact = subscribers
    org_a_admin.is_active = False
    org_a_admin.save()
    org_b_contact.organisation.terminated_on = date(2026, 11, 1)
    org_b_contact.organisation.save()
    assert run_job(maintenance_notices_send, now=TUESDAY_9).notices == 0


def test_only_organisations_with_a_tenant_in_the_region_are_told(europe_window, run_job):
    americas = OrganisationFactory(name="Gamma", slug="gamma")
    tenant = TenantFactory(organisation=americas, data_centre=DataCentre.US_WEST)
    provision(tenant)
    contact = ContactFactory(organisation=americas, contact_role=ContactRole.MAIN)
    services.maintenance_subscription_set(user=contact, subscribed=True)
    assert run_job(maintenance_notices_send, now=TUESDAY_9).notices == 0


def test_a_cancelled_window_gets_no_notices(europe_window, subscribers, manager, run_job):
    services.maintenance_window_cancel(
        window=europe_window, actor=manager, reason="Patches postponed.", now=utc(2026, 11, 9)
    )
    for when in (TUESDAY_9, SATURDAY, SATURDAY + timedelta(hours=4)):
        assert run_job(maintenance_notices_send, now=when).notices == 0
    assert mail.outbox == []


def test_a_window_not_marked_used_is_not_announced(provisioned, subscribers, manager, run_job):
    services.maintenance_window_open(region="europe", planned_starts_at=SATURDAY, actor=manager)
    assert run_job(maintenance_notices_send, now=TUESDAY_9).notices == 0
    assert run_job(maintenance_notices_send, now=SATURDAY).notices == 0


def test_a_moved_window_is_announced_at_its_new_time(europe_window, subscribers, manager, run_job):
    services.maintenance_window_move(
        window=europe_window,
        actor=manager,
        starts_at=utc(2026, 11, 15, 22),
        ends_at=utc(2026, 11, 16, 2),
        reason="Go-live of a customer.",
        now=utc(2026, 11, 3),
    )
    assert run_job(maintenance_notices_send, now=SATURDAY).notices == 2  # the Tuesday notice
    assert run_job(maintenance_notices_send, now=utc(2026, 11, 15, 22)).notices == 2
    assert [k for k, _ in _sent()] == ["preliminary"] * 2 + ["start"] * 2


def test_the_subject_writes_the_day_without_a_leading_zero(
    provisioned, subscribers, manager, run_job
):
    window = services.maintenance_window_open(
        region="europe", planned_starts_at=utc(2026, 12, 5, 22), actor=manager
    )
    services.maintenance_window_set_used(
        window=window, actor=manager, used=True, now=utc(2026, 11, 30)
    )
    run_job(maintenance_notices_send, now=local(2026, 12, 1, 9, 0))
    assert {m.subject for m in mail.outbox} == {
        "Maintenance planned in Europe: Sat 5 Dec 2026 22:00 UTC"
    }

"""sla.services: targets of a policy and the cached calendars."""

from datetime import date, time

import pytest
from django.test import override_settings

from sla import services
from sla.deadlines import Clock, Target, TargetKind
from sla.models import Calendar, ClosureDay, OpeningWindow, Policy, PolicyTarget

from .conftest import local

DAY = 510 * 60


def test_the_standard_policy_targets_follow_the_spec_table(standard):
    def target(priority, kind, defect=False):
        return services.target_for(
            policy=standard, priority=priority, kind=kind, product_defect=defect
        )

    assert target("P1", "initial_response") == Target(Clock.ALWAYS, 3600)
    assert target("P1", "ongoing_update") == Target(Clock.ALWAYS, 3600)
    assert target("P1", "resolution") == Target(Clock.ALWAYS, 4 * 3600)
    assert target("P2", "initial_response") == Target(Clock.ALWAYS, 4 * 3600)
    assert target("P2", "ongoing_update") == Target(Clock.ALWAYS, 6 * 3600)
    assert target("P2", "resolution") is None
    assert target("P3", "initial_response") == Target(Clock.BUSINESS, DAY)
    assert target("P3", "ongoing_update") == Target(Clock.BUSINESS, 3 * DAY)
    assert target("P3", "resolution") is None
    assert target("P4", "initial_response") == Target(Clock.BUSINESS, 2 * DAY)
    assert target("P4", "ongoing_update") == Target(Clock.BUSINESS, 5 * DAY)


def test_a_product_defect_switches_the_p3_ort_to_ten_business_days(standard):
    defect = services.target_for(
        policy=standard, priority="P3", kind=TargetKind.ONGOING_UPDATE, product_defect=True
    )
    assert defect == Target(Clock.BUSINESS, 10 * DAY)


def test_without_a_defect_target_the_normal_ort_applies_to_a_defect(standard):
    for priority in ("P1", "P2", "P4"):
        assert services.target_for(
            policy=standard, priority=priority, kind="ongoing_update", product_defect=True
        ) == services.target_for(policy=standard, priority=priority, kind="ongoing_update")


def test_a_product_defect_does_not_change_other_kinds(standard):
    assert services.target_for(
        policy=standard, priority="P3", kind="initial_response", product_defect=True
    ) == Target(Clock.BUSINESS, DAY)


def test_a_priority_the_policy_does_not_use_has_no_target(standard):
    assert services.target_for(policy=standard, priority="P5", kind="initial_response") is None
    assert services.priorities_of(standard) == ["P1", "P2", "P3", "P4"]


def test_an_unknown_target_kind_is_refused(standard):
    with pytest.raises(ValueError, match="Unknown target kind 'handover'"):
        services.target_for(policy=standard, priority="P3", kind="handover")


def test_delivery_is_the_policys_minor_request_days_on_the_business_clock(standard):
    delivery = services.target_for(policy=standard, priority="", kind="delivery")
    assert delivery == Target(clock=Clock.BUSINESS, seconds=3 * 510 * 60)


def test_policy_by_slug_raises_for_an_unknown_slug(db):
    with pytest.raises(Policy.DoesNotExist):
        services.policy_by_slug("gold")


def test_compute_due_and_warning_use_the_policy_calendar_and_share(standard):
    start = local(2026, 11, 20, 15)
    due = services.compute_due(policy=standard, priority="P3", kind="initial_response", start=start)
    warning = services.compute_warning(
        policy=standard, priority="P3", kind="initial_response", start=start
    )
    assert due == local(2026, 11, 23, 15)
    assert warning == local(2026, 11, 23, 13, 18)


def test_compute_due_respects_pauses(standard):
    start = local(2026, 11, 20, 10)
    pauses = [(local(2026, 11, 20, 10, 30), local(2026, 11, 20, 12))]
    due = services.compute_due(
        policy=standard, priority="P1", kind="ongoing_update", start=start, pauses=pauses
    )
    assert due == local(2026, 11, 20, 12, 30)


def test_a_cached_calendar_answers_without_the_database(standard, django_assert_num_queries):
    start = local(2026, 11, 20)
    services.compute_due(policy=standard, priority="P3", kind="initial_response", start=start)
    with django_assert_num_queries(0):
        for _ in range(10):
            services.compute_due(policy=standard, priority="P3", kind="ongoing_update", start=start)


def test_an_edit_marked_as_changed_applies_at_once(standard):
    calendar = standard.calendar
    before = services.compute_due(
        policy=standard, priority="P3", kind="initial_response", start=local(2026, 11, 20, 15)
    )
    ClosureDay.objects.create(calendar=calendar, date=date(2026, 11, 23), reason="Office move")
    services.calendar_mark_changed(calendar=calendar)
    after = services.compute_due(
        policy=standard, priority="P3", kind="initial_response", start=local(2026, 11, 20, 15)
    )
    assert before == local(2026, 11, 23, 15)
    assert after == local(2026, 11, 24, 15)


@override_settings(SLA_CALENDAR_RECHECK_SECONDS=0)
def test_another_process_notices_an_edit_through_updated_at(standard):
    calendar = standard.calendar
    services.calendar_for(calendar.pk)
    # As another process would: change the rows and stamp the calendar, without touching
    # this process's cache.
    OpeningWindow.objects.filter(calendar=calendar).update(opens=time(9))
    calendar.touch()
    assert services.calendar_for(calendar.pk).windows[0] == ((time(9), time(16, 30)),)


def test_an_unchanged_calendar_is_rechecked_with_one_small_query(
    standard, django_assert_num_queries
):
    services.calendar_for(standard.calendar_id)
    with override_settings(SLA_CALENDAR_RECHECK_SECONDS=0), django_assert_num_queries(1):
        services.calendar_for(standard.calendar_id)


def test_an_unknown_calendar_raises(db):
    with pytest.raises(Calendar.DoesNotExist):
        services.calendar_for(999_999)


def test_a_policy_edit_marked_as_changed_gives_the_new_target(standard):
    assert (
        services.target_for(policy=standard, priority="P1", kind="initial_response").seconds == 3600
    )
    PolicyTarget.objects.filter(policy=standard, priority="P1", kind="initial_response").update(
        amount=30
    )
    services.policy_mark_changed(policy=standard)
    assert (
        services.target_for(policy=standard, priority="P1", kind="initial_response").seconds == 1800
    )


def test_policy_targets_are_cached_while_the_policy_is_unchanged(
    standard, django_assert_num_queries
):
    services.target_for(policy=standard, priority="P3", kind="initial_response")
    with django_assert_num_queries(0):
        services.target_for(policy=standard, priority="P4", kind="ongoing_update")


def test_the_standard_policy_is_recreated_in_an_emptied_database(db):
    from tenants.models import Organisation

    Organisation.objects.all().delete()
    Policy.objects.all().delete()
    Calendar.objects.all().delete()
    policy = services.standard_policy_ensure()
    assert policy.slug == "standard"
    assert policy.targets.count() == 10
    assert policy.calendar.windows.count() == 5
    assert services.standard_policy_ensure() == policy

"""Model rules of calendars, policies and targets, and every organisation's policy."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from sla.models import Calendar, OpeningWindow, Policy, PolicyTarget
from tenants.models import Organisation


def test_a_new_organisation_gets_the_standard_policy(db):
    organisation = Organisation.objects.create(name="Gamma", slug="gamma")
    assert organisation.sla_policy.slug == "standard"


def test_a_policy_in_use_cannot_be_deleted(org_a):
    with pytest.raises(ProtectedError):
        org_a.org.sla_policy.delete()


def test_a_calendar_in_use_cannot_be_deleted(standard):
    with pytest.raises(ProtectedError):
        standard.calendar.delete()


def test_business_days_on_the_24x7_clock_are_refused(standard):
    target = PolicyTarget(
        policy=standard, priority="P5", kind="initial_response", clock="24x7", amount=1,
        unit="business_days",
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        target.full_clean()
    assert refused.value.error_dict["unit"][0].code == "business_days_need_business_clock"
    with pytest.raises(IntegrityError), transaction.atomic():
        target.save()
    assert not PolicyTarget.objects.filter(policy=standard, priority="P5").exists()


def test_a_second_target_for_the_same_priority_and_kind_is_refused(standard):
    duplicate = PolicyTarget(
        policy=standard, priority="P1", kind="initial_response", clock="24x7", amount=30
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert standard.targets.filter(priority="P1", kind="initial_response").count() == 1


def test_a_zero_target_is_refused(standard):
    target = PolicyTarget(
        policy=standard, priority="P5", kind="initial_response", clock="24x7", amount=0
    )
    with pytest.raises(ValidationError):
        target.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        target.save()


def test_a_window_must_close_after_it_opens(standard):
    window = OpeningWindow(calendar=standard.calendar, weekday=5, opens=time(12), closes=time(9))
    with pytest.raises(ValidationError) as refused:
        window.full_clean()
    assert refused.value.error_dict["closes"][0].code == "window_closes_before_opening"
    with pytest.raises(IntegrityError), transaction.atomic():
        window.save()
    assert not standard.calendar.windows.filter(weekday=5).exists()


def test_a_window_may_close_at_midnight(standard):
    window = OpeningWindow(calendar=standard.calendar, weekday=5, opens=time(18), closes=time(0))
    window.full_clean()
    window.save()
    assert window.closes_at_midnight


def test_an_unknown_time_zone_is_refused(db):
    calendar = Calendar(name="Mars", slug="mars", time_zone="Mars/Olympus_Mons")
    with pytest.raises(ValidationError) as refused:
        calendar.full_clean()
    assert refused.value.error_dict["time_zone"][0].code == "unknown_time_zone"


def test_an_unknown_holiday_country_is_refused(db):
    calendar = Calendar(name="Nowhere", slug="nowhere", holiday_country="XX")
    with pytest.raises(ValidationError) as refused:
        calendar.full_clean()
    assert refused.value.error_dict["holiday_country"][0].code == "unknown_holiday_country"


def test_an_unknown_holiday_subdivision_is_refused(db):
    calendar = Calendar(name="UK", slug="uk", holiday_country="gb", holiday_subdivision="XYZ")
    with pytest.raises(ValidationError) as refused:
        calendar.full_clean()
    assert refused.value.error_dict["holiday_subdivision"][0].code == (
        "unknown_holiday_subdivision"
    )


def test_a_warning_share_outside_zero_to_one_is_refused(standard):
    with pytest.raises(IntegrityError), transaction.atomic():
        Policy.objects.filter(pk=standard.pk).update(warning_share=1.5)
    standard.refresh_from_db()
    assert standard.warning_share == 0.8


def test_saving_stamps_updated_at(standard):
    before = standard.updated_at
    standard.name = "Standard (renamed)"
    standard.save(update_fields=["name"])
    standard.refresh_from_db()
    assert standard.updated_at > before


def test_admin_labels_of_targets_read_grammatically(db):
    from sla.models import Policy, PolicyTarget

    policy = Policy.objects.get(slug="standard")
    labels = {str(t) for t in PolicyTarget.objects.filter(policy=policy)}
    assert "P3 Initial response: 1 business day" in labels
    assert "P3 Ongoing update: 3 business days" in labels
    assert "P1 Resolution: 4 hours" in labels
    assert not [label for label in labels if label.endswith(": 1 business days")]

"""Maintenance windows as data: the weekly recurrence with stored rows laid over it, quarterly
scheduling, and marking, moving and cancelling with a reason kept."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from availability import selectors, services
from availability.models import (
    AvailabilityTarget,
    MaintenanceSlot,
    MaintenanceWindow,
    MaintenanceWindowChange,
)
from sla.availability import Span

from .conftest import utc

NOW = utc(2026, 11, 10, 12, 0)  # Tuesday
SATURDAY = utc(2026, 11, 14, 22, 0)  # Europe's next weekly window: Sat 22:00 – Sun 02:00 UTC


def test_the_migration_loads_the_seed_slots_and_the_target(db):
    weekly = {
        (s.region, s.weekday, s.starts_at.strftime("%H:%M"), s.duration_minutes)
        for s in MaintenanceSlot.objects.filter(kind="weekly")
    }
    assert weekly == {
        ("europe", 5, "22:00", 240),
        ("americas", 6, "04:00", 240),
        ("apac", 5, "15:00", 240),
        ("africa", 5, "22:00", 240),
    }
    quarterly = {
        (s.region, s.weekday, s.starts_at.strftime("%H:%M"), s.duration_minutes)
        for s in MaintenanceSlot.objects.filter(kind="quarterly")
    }
    assert quarterly == {
        ("europe", 4, "21:00", 53 * 60),
        ("americas", 5, "03:00", 53 * 60),
        ("apac", 4, "14:00", 53 * 60),
        ("africa", 4, "21:00", 53 * 60),
    }
    [target] = AvailabilityTarget.objects.all()
    assert target.policy is None and str(target.percent) == "99.920"


def test_weekly_windows_come_from_the_recurrence_without_any_row(db):
    november = Span(utc(2026, 11, 1), utc(2026, 12, 1))
    windows = selectors.maintenance_windows(["europe", "americas"], november)
    assert [w.starts_at for w in windows["europe"]] == [
        utc(2026, 10, 31, 22),  # runs into 1 November until 02:00
        utc(2026, 11, 7, 22),
        utc(2026, 11, 14, 22),
        utc(2026, 11, 21, 22),
        utc(2026, 11, 28, 22),
    ]
    assert [w.starts_at for w in windows["americas"]][:2] == [
        utc(2026, 11, 1, 4),
        utc(2026, 11, 8, 4),
    ]
    assert all(w.pk is None and not w.used for w in windows["europe"])


def test_a_stored_row_replaces_its_occurrence_and_a_moved_one_appears_at_its_new_time(
    defaults, manager
):
    window = services.maintenance_window_open(
        region="europe", planned_starts_at=SATURDAY, actor=manager
    )
    services.maintenance_window_move(
        window=window,
        actor=manager,
        starts_at=utc(2026, 11, 15, 22),
        ends_at=utc(2026, 11, 16, 1),
        reason="Customer go-live on Saturday night.",
        now=NOW,
    )
    week = Span(utc(2026, 11, 14), utc(2026, 11, 17))
    [moved] = selectors.maintenance_windows(["europe"], week)["europe"]
    assert moved.pk == window.pk and moved.is_moved
    assert (moved.starts_at, moved.ends_at) == (utc(2026, 11, 15, 22), utc(2026, 11, 16, 1))
    # Moved out of a span, a window leaves no generated occurrence behind in it.
    assert (
        selectors.maintenance_windows(["europe"], Span(SATURDAY, SATURDAY + timedelta(hours=4)))[
            "europe"
        ]
        == []
    )
    change = MaintenanceWindowChange.objects.get(window=window, action="moved")
    assert change.reason == "Customer go-live on Saturday night." and change.actor == manager


def test_a_cancelled_window_is_not_excluded_from_availability(defaults, manager):
    window = services.maintenance_window_open(
        region="europe", planned_starts_at=SATURDAY, actor=manager
    )
    services.maintenance_window_cancel(
        window=window, actor=manager, reason="Nothing to install.", now=NOW
    )
    week = Span(utc(2026, 11, 14), utc(2026, 11, 17))
    windows = selectors.maintenance_windows(["europe"], week)["europe"]
    assert [w.is_cancelled for w in windows] == [True]
    assert selectors.excluded_spans(windows) == []


def test_opening_a_time_that_is_no_occurrence_is_refused(defaults, manager):
    with pytest.raises(ValidationError) as refused:
        services.maintenance_window_open(
            region="europe", planned_starts_at=SATURDAY + timedelta(hours=1), actor=manager
        )
    assert refused.value.code == "not_an_occurrence"
    assert not MaintenanceWindow.objects.exists()


def test_opening_twice_gives_the_same_row(defaults, engineers):
    first = services.maintenance_window_open(
        region="europe", planned_starts_at=SATURDAY, actor=engineers["L1"]
    )
    again = services.maintenance_window_open(
        region="europe", planned_starts_at=SATURDAY, actor=engineers["L1"]
    )
    assert first.pk == again.pk


def test_marking_used_keeps_who_did_it(defaults, engineers):
    window = services.maintenance_window_open(
        region="europe", planned_starts_at=SATURDAY, actor=engineers["L3"]
    )
    services.maintenance_window_set_used(
        window=window, actor=engineers["L3"], used=True, summary="Security patches", now=NOW
    )
    window.refresh_from_db()
    assert window.used and window.summary == "Security patches"
    assert list(window.changes.values_list("action", flat=True)) == ["summary", "marked_used"]


def test_a_window_that_has_ended_cannot_be_marked(defaults, manager):
    window = services.maintenance_window_open(
        region="europe", planned_starts_at=SATURDAY, actor=manager
    )
    with pytest.raises(ValidationError) as refused:
        services.maintenance_window_set_used(
            window=window, actor=manager, used=True, now=utc(2026, 11, 15, 2, 0)
        )
    assert refused.value.code == "window_ended"


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field", "code"),
    [
        (utc(2026, 11, 10, 11), utc(2026, 11, 10, 13), "starts_at", "in_past"),
        (utc(2026, 11, 22, 22), utc(2026, 11, 23, 1), "starts_at", "too_far"),
        (utc(2026, 11, 15, 22), utc(2026, 11, 15, 21), "ends_at", "ends_before_start"),
        (utc(2026, 11, 15, 22), utc(2026, 11, 16, 3), "ends_at", "too_long"),
    ],
)
def test_moves_are_refused_when_they_break_a_rule(
    defaults, manager, starts_at, ends_at, field, code
):
    window = services.maintenance_window_open(
        region="europe", planned_starts_at=SATURDAY, actor=manager
    )
    with pytest.raises(ValidationError) as refused:
        services.maintenance_window_move(
            window=window, actor=manager, starts_at=starts_at, ends_at=ends_at, reason="X", now=NOW
        )
    assert refused.value.error_dict[field][0].code == code
    window.refresh_from_db()
    assert not window.is_moved and not window.changes.exists()


def test_a_move_and_a_cancellation_need_a_reason_and_a_window_that_has_not_started(
    defaults, manager
):
    window = services.maintenance_window_open(
        region="europe", planned_starts_at=SATURDAY, actor=manager
    )
    with pytest.raises(ValidationError) as refused:
        services.maintenance_window_cancel(window=window, actor=manager, reason=" ", now=NOW)
    assert refused.value.error_dict["reason"][0].code == "reason_required"
    with pytest.raises(ValidationError) as refused:
        services.maintenance_window_cancel(
            window=window, actor=manager, reason="Late.", now=SATURDAY + timedelta(minutes=5)
        )
    assert refused.value.code == "window_started"
    window.refresh_from_db()
    assert not window.is_cancelled


def test_customers_cannot_change_windows(provisioned):
    org_a, _ = provisioned
    with pytest.raises(PermissionDenied):
        services.maintenance_window_open(
            region="europe", planned_starts_at=SATURDAY, actor=org_a.admin
        )


# --- quarterly -----------------------------------------------------------------------------


def test_a_quarterly_window_takes_the_regions_slot_time_and_53_hours(defaults, manager):
    window = services.maintenance_window_schedule(
        region="europe", starts_on=date(2027, 1, 15), actor=manager, summary="27Q1", now=NOW
    )
    assert (window.starts_at, window.ends_at) == (utc(2027, 1, 15, 21), utc(2027, 1, 18, 2))
    assert window.kind == "quarterly" and window.used
    americas = services.maintenance_window_schedule(
        region="americas", starts_on=date(2027, 1, 16), actor=manager, now=NOW
    )
    assert (americas.starts_at, americas.ends_at) == (utc(2027, 1, 16, 3), utc(2027, 1, 18, 8))
    assert window.changes.get().action == "scheduled"


def test_a_quarterly_window_on_the_wrong_weekday_is_refused_with_the_right_day(defaults, manager):
    with pytest.raises(ValidationError) as refused:
        services.maintenance_window_schedule(
            region="europe", starts_on=date(2027, 1, 13), actor=manager, now=NOW
        )
    error = refused.value.error_dict["starts_on"][0]
    assert error.code == "wrong_weekday"
    assert "starts on a Friday at 21:00 UTC; 13 January 2027 is a Wednesday" in error.message
    assert not MaintenanceWindow.objects.exists()


def test_at_most_four_quarterly_windows_a_year_and_none_overlapping(defaults, manager):
    for day in (date(2027, 1, 15), date(2027, 4, 16), date(2027, 7, 16), date(2027, 10, 15)):
        services.maintenance_window_schedule(region="apac", starts_on=day, actor=manager, now=NOW)
    with pytest.raises(ValidationError) as refused:
        services.maintenance_window_schedule(
            region="apac", starts_on=date(2027, 11, 12), actor=manager, now=NOW
        )
    assert refused.value.error_dict["starts_on"][0].code == "too_many_quarterly"
    # Another region has its own four.
    services.maintenance_window_schedule(
        region="europe", starts_on=date(2027, 11, 12), actor=manager, now=NOW
    )
    with pytest.raises(ValidationError) as refused:
        services.maintenance_window_schedule(
            region="europe", starts_on=date(2027, 11, 12), actor=manager, now=NOW
        )
    assert refused.value.error_dict["starts_on"][0].code == "overlaps"
    assert MaintenanceWindow.objects.filter(kind="quarterly").count() == 5


def test_a_quarterly_window_is_scheduled_in_the_future_by_managers_only(
    defaults, manager, engineers
):
    with pytest.raises(ValidationError) as refused:
        services.maintenance_window_schedule(
            region="europe", starts_on=date(2026, 11, 6), actor=manager, now=NOW
        )
    assert refused.value.error_dict["starts_on"][0].code == "in_past"
    with pytest.raises(PermissionDenied):
        services.maintenance_window_schedule(
            region="europe", starts_on=date(2027, 1, 15), actor=engineers["L1"], now=NOW
        )
    assert not MaintenanceWindow.objects.exists()


def test_a_newer_slot_changes_the_schedule_from_its_date_on_only(defaults):
    MaintenanceSlot.objects.create(
        region="europe",
        kind="weekly",
        weekday=6,
        starts_at=utc(2026, 1, 1, 1).time(),
        duration_minutes=120,
        effective_from=utc(2026, 11, 16),
    )
    windows = selectors.maintenance_windows(["europe"], Span(utc(2026, 11, 7), utc(2026, 11, 30)))
    assert [(w.starts_at, w.ends_at - w.starts_at) for w in windows["europe"]] == [
        (utc(2026, 11, 7, 22), timedelta(hours=4)),
        (utc(2026, 11, 14, 22), timedelta(hours=4)),
        (utc(2026, 11, 22, 1), timedelta(hours=2)),
        (utc(2026, 11, 29, 1), timedelta(hours=2)),
    ]

"""sla.measurement: pauses, reclassification, met and breached."""

from datetime import timedelta

from sla.deadlines import BusinessCalendar, Clock, Target, TargetKind
from sla.measurement import (
    State,
    deadline,
    meet,
    pause,
    pauses_while_waiting,
    reclassify,
    remaining,
    resume,
    start_measuring,
    state,
)

from .conftest import HELSINKI, local

CALENDAR = BusinessCalendar(tz=HELSINKI, holiday_country="FI")
DAY = 510 * 60
P1_ORT = Target(Clock.ALWAYS, 3600)
P3_ORT = Target(Clock.BUSINESS, 3 * DAY)


def test_only_ongoing_update_and_resolution_pause():
    assert pauses_while_waiting("ongoing_update")
    assert pauses_while_waiting(TargetKind.RESOLUTION)
    assert not pauses_while_waiting("initial_response")


def test_the_initial_response_clock_never_pauses():
    m = start_measuring("initial_response", P1_ORT, local(2026, 11, 20, 10))
    paused = pause(CALENDAR, m, local(2026, 11, 20, 10, 30))
    assert paused == m
    assert deadline(CALENDAR, paused) == local(2026, 11, 20, 11)


def test_a_paused_target_has_no_deadline_until_it_resumes():
    m = start_measuring("ongoing_update", P1_ORT, local(2026, 11, 20, 10))
    m = pause(CALENDAR, m, local(2026, 11, 20, 10, 30))
    assert m.is_paused
    assert deadline(CALENDAR, m) is None
    assert remaining(CALENDAR, m, local(2026, 11, 20, 15)) == 30 * 60


def test_resuming_gives_back_the_time_that_was_left():
    m = start_measuring("ongoing_update", P1_ORT, local(2026, 11, 20, 10))
    m = pause(CALENDAR, m, local(2026, 11, 20, 10, 30))
    m = resume(CALENDAR, m, local(2026, 11, 20, 14))
    assert deadline(CALENDAR, m) == local(2026, 11, 20, 14, 30)
    assert state(CALENDAR, m, local(2026, 11, 20, 14))[0] == State.PENDING


def test_a_business_clock_pause_counts_only_business_time():
    m = start_measuring("ongoing_update", P3_ORT, local(2026, 11, 20, 16))
    m = pause(CALENDAR, m, local(2026, 11, 20, 16, 15))
    m = resume(CALENDAR, m, local(2026, 11, 23, 9))
    # 15 min used on Friday, 3 days − 15 min left from Monday 09:00 → Thursday 08:45.
    assert deadline(CALENDAR, m) == local(2026, 11, 26, 8, 45)


def test_pausing_an_overdue_target_keeps_the_breach():
    m = start_measuring("ongoing_update", P1_ORT, local(2026, 11, 20, 10))
    m = pause(CALENDAR, m, local(2026, 11, 20, 12))
    assert m.breached_at == local(2026, 11, 20, 11)
    m = resume(CALENDAR, m, local(2026, 11, 20, 13))
    assert state(CALENDAR, m, local(2026, 11, 20, 13)) == (State.BREACHED, local(2026, 11, 20, 11))


def test_a_target_met_at_its_deadline_is_met():
    m = start_measuring("initial_response", P1_ORT, local(2026, 11, 20, 10))
    m = meet(CALENDAR, m, local(2026, 11, 20, 11))
    assert state(CALENDAR, m, local(2026, 11, 21)) == (State.MET, local(2026, 11, 20, 11))


def test_a_target_met_after_its_deadline_is_breached():
    m = start_measuring("initial_response", P1_ORT, local(2026, 11, 20, 10))
    m = meet(CALENDAR, m, local(2026, 11, 20, 11, 0, 1))
    assert state(CALENDAR, m, local(2026, 11, 21)) == (State.BREACHED, local(2026, 11, 20, 11))


def test_an_unmet_target_is_breached_once_its_deadline_passes():
    m = start_measuring("initial_response", P1_ORT, local(2026, 11, 20, 10))
    assert state(CALENDAR, m, local(2026, 11, 20, 11)) == (State.PENDING, None)
    assert state(CALENDAR, m, local(2026, 11, 20, 11, 0, 1)) == (
        State.BREACHED,
        local(2026, 11, 20, 11),
    )


def test_reclassification_measures_from_the_change_with_the_new_target():
    m = start_measuring("ongoing_update", P3_ORT, local(2026, 11, 20, 10))
    m = reclassify(CALENDAR, m, P1_ORT, local(2026, 11, 20, 12))
    assert deadline(CALENDAR, m) == local(2026, 11, 20, 13)
    assert m.used_before == 2 * 3600


def test_reclassification_keeps_a_breach_already_recorded():
    m = start_measuring("ongoing_update", P1_ORT, local(2026, 11, 20, 10))
    m = reclassify(CALENDAR, m, P3_ORT, local(2026, 11, 20, 12))
    assert m.breached_at == local(2026, 11, 20, 11)
    m = meet(CALENDAR, m, local(2026, 11, 20, 12, 30))
    assert state(CALENDAR, m, local(2026, 11, 20, 13)) == (State.BREACHED, local(2026, 11, 20, 11))


def test_reclassification_leaves_a_met_target_alone():
    m = start_measuring("initial_response", P3_ORT, local(2026, 11, 20, 10))
    m = meet(CALENDAR, m, local(2026, 11, 20, 10, 5))
    assert reclassify(CALENDAR, m, P1_ORT, local(2026, 11, 20, 12)) == m


def test_reclassification_while_paused_stays_paused_and_counts_from_the_change():
    m = start_measuring("resolution", Target(Clock.ALWAYS, 4 * 3600), local(2026, 11, 20, 10))
    m = pause(CALENDAR, m, local(2026, 11, 20, 11))
    m = reclassify(CALENDAR, m, P1_ORT, local(2026, 11, 20, 12))
    assert m.is_paused
    assert m.used_before == 3600
    m = resume(CALENDAR, m, local(2026, 11, 20, 15))
    assert deadline(CALENDAR, m) == local(2026, 11, 20, 16)


def test_reclassification_to_a_priority_without_the_target_leaves_no_deadline():
    m = start_measuring("resolution", Target(Clock.ALWAYS, 4 * 3600), local(2026, 11, 20, 10))
    m = reclassify(CALENDAR, m, None, local(2026, 11, 20, 11))
    assert deadline(CALENDAR, m) is None
    assert state(CALENDAR, m, local(2026, 11, 30)) == (State.PENDING, None)


def test_meeting_a_paused_target_closes_the_pause():
    m = start_measuring("ongoing_update", P1_ORT, local(2026, 11, 20, 10))
    m = pause(CALENDAR, m, local(2026, 11, 20, 10, 30))
    m = meet(CALENDAR, m, local(2026, 11, 20, 18))
    assert not m.is_paused
    assert state(CALENDAR, m, local(2026, 11, 20, 18)) == (State.MET, local(2026, 11, 20, 18))
    assert m.pauses == ((local(2026, 11, 20, 10, 30), local(2026, 11, 20, 18)),)
    assert deadline(CALENDAR, m) - local(2026, 11, 20, 18) == timedelta(minutes=30)


def test_a_pause_over_the_repeated_dst_hour_lasts_a_real_hour():
    first = local(2026, 10, 25, 3, 30)
    second = first.replace(fold=1)
    m = start_measuring("resolution", Target(Clock.ALWAYS, 4 * 3600), local(2026, 10, 25, 2))
    m = resume(CALENDAR, pause(CALENDAR, m, first), second)
    # Started 02:00 EEST (23:00 UTC); four hours plus the one-hour pause end at 04:00 UTC.
    assert deadline(CALENDAR, m).isoformat() == "2026-10-25T04:00:00+00:00"

"""sla.measurement: the one model of a target's clock, with hand-computed instants."""

from datetime import timedelta

import pytest

from sla.deadlines import BusinessCalendar, Clock, Target, TargetKind
from sla.measurement import (
    Basis,
    State,
    agreed,
    cancel,
    due_at,
    is_overdue,
    meet,
    open_measurement,
    pause,
    pauses_while_waiting,
    record_breach,
    remaining,
    remeasure,
    replace_with_agreed,
    resume,
    used_at,
    warn_at,
)

from .conftest import HELSINKI, local

CALENDAR = BusinessCalendar(tz=HELSINKI, holiday_country="FI")
DAY = 510 * 60
P1_ORT = Target(Clock.ALWAYS, 3600)
P2_IR = Target(Clock.ALWAYS, 4 * 3600)
P3_IR = Target(Clock.BUSINESS, DAY)
P3_ORT = Target(Clock.BUSINESS, 3 * DAY)
P3_DEFECT_ORT = Target(Clock.BUSINESS, 10 * DAY)
SHARE = 0.8


def start(kind, target, at, **kwargs):
    return open_measurement(CALENDAR, kind, target, at, share=SHARE, **kwargs)


def test_update_resolution_and_delivery_pause_but_the_initial_response_does_not():
    assert pauses_while_waiting("ongoing_update")
    assert pauses_while_waiting(TargetKind.RESOLUTION)
    assert pauses_while_waiting("delivery")
    assert not pauses_while_waiting("initial_response")


def test_the_initial_response_clock_never_pauses():
    m = start("initial_response", P1_ORT, local(2026, 11, 20, 10))
    assert pause(CALENDAR, m, local(2026, 11, 20, 10, 30)) == m
    assert due_at(CALENDAR, m) == local(2026, 11, 20, 11)


def test_a_paused_target_has_no_deadline_until_it_resumes():
    m = start("ongoing_update", P1_ORT, local(2026, 11, 20, 10))
    m = pause(CALENDAR, m, local(2026, 11, 20, 10, 30))
    assert m.is_paused
    assert due_at(CALENDAR, m) is None and warn_at(CALENDAR, m) is None
    assert remaining(CALENDAR, m, local(2026, 11, 20, 15)) == 30 * 60


def test_resuming_gives_back_the_time_that_was_left():
    m = start("ongoing_update", P1_ORT, local(2026, 11, 20, 10))
    m = pause(CALENDAR, m, local(2026, 11, 20, 10, 30))
    m = resume(CALENDAR, m, local(2026, 11, 20, 14))
    assert due_at(CALENDAR, m) == local(2026, 11, 20, 14, 30)
    assert m.paused_seconds == 3.5 * 3600
    assert not is_overdue(CALENDAR, m, local(2026, 11, 20, 14))


def test_a_business_clock_pause_counts_only_business_time():
    m = start("ongoing_update", P3_ORT, local(2026, 11, 20, 16))
    m = pause(CALENDAR, m, local(2026, 11, 20, 16, 15))
    m = resume(CALENDAR, m, local(2026, 11, 23, 9))
    # 15 min used on Friday, 3 days − 15 min left from Monday 09:00 → Thursday 08:45.
    assert due_at(CALENDAR, m) == local(2026, 11, 26, 8, 45)
    # Friday 16:15–16:30 and Monday 08:00–09:00 of business time passed while paused.
    assert m.paused_seconds == 75 * 60


def test_pausing_an_overdue_target_keeps_the_breach_and_the_clock_running():
    m = start("ongoing_update", P1_ORT, local(2026, 11, 20, 10))
    m = pause(CALENDAR, m, local(2026, 11, 20, 12))
    assert m.state == State.BREACHED and m.breached_at == local(2026, 11, 20, 11)
    assert not m.is_paused
    assert due_at(CALENDAR, m) == local(2026, 11, 20, 11)


def test_a_target_met_at_its_deadline_is_met_and_records_the_clock_time_used():
    m = start("initial_response", P1_ORT, local(2026, 11, 20, 10))
    m = meet(CALENDAR, m, local(2026, 11, 20, 11))
    assert (m.state, m.met_at, m.used_seconds) == (State.MET, local(2026, 11, 20, 11), 3600)
    assert not m.is_outstanding


def test_a_target_met_one_second_after_its_deadline_is_breached():
    m = start("initial_response", P1_ORT, local(2026, 11, 20, 10))
    m = meet(CALENDAR, m, local(2026, 11, 20, 11, 0, 1))
    assert (m.state, m.breached_at) == (State.BREACHED, local(2026, 11, 20, 11))
    assert m.met_at == local(2026, 11, 20, 11, 0, 1) and m.used_seconds == 3601


def test_a_breach_is_recorded_only_once_the_deadline_has_passed():
    m = start("initial_response", P1_ORT, local(2026, 11, 20, 10))
    assert record_breach(CALENDAR, m, local(2026, 11, 20, 11)) == m
    breached = record_breach(CALENDAR, m, local(2026, 11, 20, 11, 0, 1))
    assert (breached.state, breached.breached_at) == (State.BREACHED, local(2026, 11, 20, 11))


def test_business_clock_time_used_counts_only_opening_hours():
    m = start("initial_response", P3_IR, local(2026, 11, 20, 15))  # Friday
    m = meet(CALENDAR, m, local(2026, 11, 23, 9))  # Monday
    assert m.used_seconds == 90 * 60 + 60 * 60
    assert m.state == State.MET


def test_a_priority_change_measures_the_whole_new_target_from_the_change():
    m = start("ongoing_update", P3_ORT, local(2026, 11, 20, 10))
    closed, new = remeasure(CALENDAR, m, local(2026, 11, 20, 12), P1_ORT, share=SHARE)
    assert (closed.state, closed.used_seconds, closed.ended_at) == (
        State.REPLACED,
        2 * 3600,
        local(2026, 11, 20, 12),
    )
    assert due_at(CALENDAR, new) == local(2026, 11, 20, 13)
    assert new.banked_seconds == 0


def test_a_remeasure_after_an_unnoticed_deadline_closes_the_row_as_breached():
    # P3 initial response due Tuesday 09:00, not sent; reclassified to P2 at 10:00.
    m = start("initial_response", P3_IR, local(2026, 11, 16, 9))  # Monday 09:00
    assert due_at(CALENDAR, m) == local(2026, 11, 17, 9)
    closed, new = remeasure(CALENDAR, m, local(2026, 11, 17, 10), P2_IR, share=SHARE)
    assert (closed.state, closed.breached_at) == (State.BREACHED, local(2026, 11, 17, 9))
    assert closed.ended_at == local(2026, 11, 17, 10) and closed.met_at is None
    new = meet(CALENDAR, new, local(2026, 11, 17, 10, 30))
    assert new.state == State.MET


def test_a_product_defect_keeps_the_cycles_time_and_its_pauses():
    # ORT cycle from Monday 10:00; paused Monday 11:00 → Tuesday 11:00; defect Wednesday 10:00.
    m = start("ongoing_update", P3_ORT, local(2026, 11, 16, 10))
    m = pause(CALENDAR, m, local(2026, 11, 16, 11))
    m = resume(CALENDAR, m, local(2026, 11, 17, 11))
    assert due_at(CALENDAR, m) == local(2026, 11, 20, 10)  # 3 business days plus the day paused
    closed, new = remeasure(
        CALENDAR,
        m,
        local(2026, 11, 18, 10),
        P3_DEFECT_ORT,
        share=SHARE,
        keep_used=True,
        basis=Basis.PRODUCT_DEFECT,
    )
    # Used: Monday 10–11 (1 h) + Tuesday 11:00–16:30 (5.5 h) + Wednesday 08:00–10:00 (2 h).
    assert closed.used_seconds == int(8.5 * 3600) == DAY
    # Ten business days from Monday 10:00 with the day-long pause: Tuesday 1 December 10:00.
    assert due_at(CALENDAR, new) == local(2026, 12, 1, 10)
    assert new.basis == Basis.PRODUCT_DEFECT


def test_a_defect_confirmed_after_a_missed_update_keeps_the_breach():
    m = start("ongoing_update", P3_ORT, local(2026, 11, 16, 10))  # due Thursday 10:00
    closed, new = remeasure(
        CALENDAR, m, local(2026, 11, 19, 12), P3_DEFECT_ORT, share=SHARE, keep_used=True
    )
    assert (closed.state, closed.breached_at) == (State.BREACHED, local(2026, 11, 19, 10))
    assert new.state == State.PENDING
    assert due_at(CALENDAR, new) == local(2026, 11, 30, 10)


def test_a_remeasure_while_paused_opens_the_successor_paused():
    m = start("resolution", Target(Clock.ALWAYS, 4 * 3600), local(2026, 11, 20, 10))
    m = pause(CALENDAR, m, local(2026, 11, 20, 11))
    closed, new = remeasure(CALENDAR, m, local(2026, 11, 20, 12), P1_ORT, share=SHARE)
    assert closed.used_seconds == 3600 and closed.paused_seconds == 3600
    assert new.is_paused
    new = resume(CALENDAR, new, local(2026, 11, 20, 15))
    assert due_at(CALENDAR, new) == local(2026, 11, 20, 16)


def test_a_remeasure_to_a_priority_without_the_target_only_closes_the_row():
    m = start("resolution", Target(Clock.ALWAYS, 4 * 3600), local(2026, 11, 20, 10))
    closed, new = remeasure(CALENDAR, m, local(2026, 11, 20, 11), None, share=SHARE)
    assert new is None
    assert closed.state == State.REPLACED


def test_a_met_target_cannot_be_measured_again():
    m = meet(
        CALENDAR, start("initial_response", P3_IR, local(2026, 11, 20, 10)), local(2026, 11, 20, 11)
    )
    with pytest.raises(ValueError, match="outstanding"):
        remeasure(CALENDAR, m, local(2026, 11, 20, 12), P1_ORT, share=SHARE)


def test_meeting_a_paused_target_closes_the_pause():
    m = start("ongoing_update", P1_ORT, local(2026, 11, 20, 10))
    m = pause(CALENDAR, m, local(2026, 11, 20, 10, 30))
    m = meet(CALENDAR, m, local(2026, 11, 20, 18))
    assert not m.is_paused
    assert (m.state, m.met_at, m.used_seconds) == (State.MET, local(2026, 11, 20, 18), 30 * 60)
    assert m.paused_seconds == 7.5 * 3600


def test_a_pause_over_the_repeated_dst_hour_lasts_a_real_hour():
    first = local(2026, 10, 25, 3, 30)
    second = first.replace(fold=1)
    m = start("resolution", Target(Clock.ALWAYS, 4 * 3600), local(2026, 10, 25, 2))
    m = resume(CALENDAR, pause(CALENDAR, m, first), second)
    # Started 02:00 EEST (23:00 UTC); four hours plus the one-hour pause end at 04:00 UTC.
    assert due_at(CALENDAR, m).isoformat() == "2026-10-25T04:00:00+00:00"


def test_the_warning_falls_at_the_share_of_the_target_and_is_rounded_to_the_second():
    m = start("initial_response", Target(Clock.ALWAYS, 1001), local(2026, 11, 20, 10))
    assert m.warn_after_seconds == 801  # 800.8 rounds up
    assert warn_at(CALENDAR, m) == local(2026, 11, 20, 10) + timedelta(seconds=801)


def test_after_a_pause_the_warning_comes_when_the_share_is_used_and_is_re_armed():
    m = start("ongoing_update", P1_ORT, local(2026, 11, 20, 10))  # warn at 10:48
    m = pause(CALENDAR, m, local(2026, 11, 20, 10, 30))
    m = resume(CALENDAR, m, local(2026, 11, 20, 13))
    # 30 minutes were used; the warning falls 18 minutes after the resume, not a second later.
    assert warn_at(CALENDAR, m) == local(2026, 11, 20, 13, 18)
    assert m.warned_at is None


def test_after_the_share_was_used_the_warning_falls_as_soon_as_the_clock_runs_again():
    m = start("ongoing_update", P1_ORT, local(2026, 11, 20, 10))
    m = pause(CALENDAR, m, local(2026, 11, 20, 10, 50))
    m = resume(CALENDAR, m, local(2026, 11, 20, 13))
    assert warn_at(CALENDAR, m) == local(2026, 11, 20, 13)
    assert due_at(CALENDAR, m) == local(2026, 11, 20, 13, 10)


def test_a_clock_counting_from_the_next_day_starts_then_even_after_a_pause():
    mttr = Target(Clock.BUSINESS, 2 * DAY, count_from_next_day=True)
    m = start("resolution", mttr, local(2026, 11, 16, 10))  # Monday
    assert m.running_since == local(2026, 11, 17, 0)
    m = resume(CALENDAR, pause(CALENDAR, m, local(2026, 11, 16, 11)), local(2026, 11, 16, 12))
    assert m.running_since == local(2026, 11, 17, 0) and m.paused_seconds == 0
    assert due_at(CALENDAR, m) == local(2026, 11, 18, 16, 30)


def test_an_agreed_time_is_due_exactly_then_on_the_real_clock():
    m = agreed(
        CALENDAR, "ongoing_update", local(2026, 11, 20, 15), local(2026, 11, 21, 10), share=SHARE
    )
    assert m.clock == Clock.ALWAYS and m.basis == Basis.AGREED
    assert due_at(CALENDAR, m) == local(2026, 11, 21, 10)
    with pytest.raises(ValueError, match="after"):
        agreed(CALENDAR, "delivery", local(2026, 11, 20, 15), local(2026, 11, 20, 15), share=SHARE)


def test_agreeing_a_new_delivery_date_closes_the_old_measurement():
    m = start("delivery", Target(Clock.BUSINESS, 3 * DAY), local(2026, 11, 16, 10))
    closed, new = replace_with_agreed(
        CALENDAR, m, local(2026, 11, 17, 10), local(2026, 12, 4, 12), share=SHARE
    )
    assert closed.state == State.REPLACED
    assert due_at(CALENDAR, new) == local(2026, 12, 4, 12)


def test_cancelling_keeps_a_breach_and_closes_the_rest():
    overdue = start("initial_response", P1_ORT, local(2026, 11, 20, 10))
    cancelled = cancel(CALENDAR, overdue, local(2026, 11, 20, 12))
    assert (cancelled.state, cancelled.breached_at) == (State.BREACHED, local(2026, 11, 20, 11))
    running = start("resolution", Target(Clock.ALWAYS, 4 * 3600), local(2026, 11, 20, 10))
    cancelled = cancel(CALENDAR, running, local(2026, 11, 20, 12))
    assert (cancelled.state, cancelled.used_seconds) == (State.CANCELLED, 2 * 3600)
    assert used_at(CALENDAR, cancelled, local(2026, 11, 30)) == 2 * 3600


def test_instants_count_to_the_whole_second():
    m = start("initial_response", P1_ORT, local(2026, 11, 20, 10, 0, 0, 700_000))
    assert due_at(CALENDAR, m) == local(2026, 11, 20, 11)
    met = meet(CALENDAR, m, local(2026, 11, 20, 11, 0, 0, 900_000))
    assert met.state == State.MET


def test_the_successor_of_an_overdue_target_pauses_while_the_ticket_waits():
    m = start("resolution", Target(Clock.ALWAYS, 4 * 3600), local(2026, 11, 20, 10))
    m = pause(CALENDAR, m, local(2026, 11, 20, 15))  # overdue: the breach stands, no pause
    assert m.state == State.BREACHED and not m.is_paused
    closed, new = remeasure(
        CALENDAR,
        m,
        local(2026, 11, 20, 16),
        Target(Clock.ALWAYS, 8 * 3600),
        share=SHARE,
        paused=True,
    )
    assert closed.state == State.BREACHED
    assert new.is_paused and due_at(CALENDAR, new) is None

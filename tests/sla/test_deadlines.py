"""The pure deadline functions on hand-built calendars (no database)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla.deadlines import (
    BusinessCalendar,
    Clock,
    Target,
    add_clock_time,
    business_intervals,
    clock_time_between,
    due_at,
    next_local_midnight,
    warning_at,
)

from .conftest import HELSINKI, local

FINLAND = BusinessCalendar(tz=HELSINKI, holiday_country="FI")
NO_HOLIDAYS = BusinessCalendar(tz=HELSINKI)
DAY = 510 * 60
HOUR = 3600


def test_a_business_day_is_510_minutes_by_default():
    assert FINLAND.day_seconds == 510 * 60


def test_the_business_day_can_be_set_apart_from_the_opening_hours():
    calendar = BusinessCalendar(tz=HELSINKI, business_day_seconds=8 * HOUR)
    assert calendar.day_seconds == 8 * HOUR


def test_the_business_day_is_the_usual_day_when_days_differ():
    long_day = ((time(8), time(18)),)
    short_friday = ((time(8), time(14)),)
    calendar = BusinessCalendar(windows=(long_day,) * 4 + (short_friday, (), ()))
    assert calendar.day_seconds == 10 * HOUR


def test_naive_start_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="aware datetime with a UTC offset"):
        add_clock_time(FINLAND, Clock.BUSINESS, datetime(2026, 11, 20, 15), 60)
    with pytest.raises(ValueError, match="aware"):
        due_at(FINLAND, Target(Clock.ALWAYS, 60), datetime(2026, 11, 20, 15))
    with pytest.raises(ValueError, match="end must be an aware"):
        clock_time_between(FINLAND, Clock.BUSINESS, local(2026, 11, 20), datetime(2026, 11, 21))


def test_adding_zero_returns_the_start_even_outside_hours():
    saturday = local(2026, 11, 21, 11, 0, 0, 123456)
    assert add_clock_time(FINLAND, Clock.BUSINESS, saturday, 0) == saturday
    assert add_clock_time(FINLAND, Clock.ALWAYS, saturday, 0) == saturday


def test_results_are_in_utc():
    due = add_clock_time(FINLAND, Clock.BUSINESS, local(2026, 11, 20, 15), DAY)
    assert due.tzinfo is UTC
    assert add_clock_time(FINLAND, Clock.ALWAYS, local(2026, 11, 20, 15), 60).tzinfo is UTC


def test_a_deadline_may_fall_exactly_at_the_close():
    due = add_clock_time(FINLAND, Clock.BUSINESS, local(2026, 11, 23, 16), 30 * 60)
    assert due == local(2026, 11, 23, 16, 30)


def test_one_second_more_moves_to_the_next_opening():
    due = add_clock_time(FINLAND, Clock.BUSINESS, local(2026, 11, 23, 16), 30 * 60 + 1)
    assert due == local(2026, 11, 24, 8, 0, 1)


def test_the_close_itself_is_outside_hours():
    assert (
        clock_time_between(
            FINLAND, Clock.BUSINESS, local(2026, 11, 23, 16, 30), local(2026, 11, 24, 8)
        )
        == 0
    )


def test_elapsed_business_time_skips_nights_weekends_and_holidays():
    # Thu 2 Apr 15:00 → Tue 7 Apr 15:00 over Easter: 1.5 h + 7 h.
    elapsed = clock_time_between(
        FINLAND, Clock.BUSINESS, local(2026, 4, 2, 15), local(2026, 4, 7, 15)
    )
    assert elapsed == int(8.5 * HOUR)
    assert clock_time_between(
        NO_HOLIDAYS, Clock.BUSINESS, local(2026, 4, 2, 15), local(2026, 4, 7, 15)
    ) == int(25.5 * HOUR)


def test_elapsed_is_zero_when_the_end_is_not_after_the_start():
    assert (
        clock_time_between(
            FINLAND, Clock.BUSINESS, local(2026, 11, 23, 12), local(2026, 11, 23, 10)
        )
        == 0
    )
    assert (
        clock_time_between(FINLAND, Clock.ALWAYS, local(2026, 11, 23, 12), local(2026, 11, 23, 12))
        == 0
    )


def test_24x7_elapsed_is_real_time_across_dst():
    # 23:00 → 04:00 on the night DST starts is five wall-clock hours but four real ones.
    start = datetime.fromisoformat("2026-03-28T23:00:00+02:00")
    end = datetime.fromisoformat("2026-03-29T04:00:00+03:00")
    assert clock_time_between(FINLAND, Clock.ALWAYS, start, end) == 4 * HOUR


def test_business_time_works_in_whole_seconds():
    start = local(2026, 11, 23, 10, 0, 0, 999_999)
    assert add_clock_time(FINLAND, Clock.BUSINESS, start, 60) == local(2026, 11, 23, 10, 1)
    assert clock_time_between(FINLAND, Clock.BUSINESS, start, local(2026, 11, 23, 10, 1)) == 60


def test_several_windows_a_day_leave_the_break_out():
    lunch_break = ((time(8), time(12)), (time(13), time(17)))
    calendar = BusinessCalendar(tz=HELSINKI, windows=(lunch_break,) * 5 + ((), ()))
    assert calendar.day_seconds == 8 * HOUR
    assert add_clock_time(calendar, Clock.BUSINESS, local(2026, 11, 23, 11), 2 * HOUR) == local(
        2026, 11, 23, 14
    )
    assert add_clock_time(calendar, Clock.BUSINESS, local(2026, 11, 23, 11), HOUR) == local(
        2026, 11, 23, 12
    )


def test_windows_are_given_per_weekday_as_a_mapping_too():
    calendar = BusinessCalendar(tz=HELSINKI, windows={5: [(time(10), time(14))]})
    # Only Saturdays are open: Friday 12:00 + 1 h is Saturday 11:00.
    assert add_clock_time(calendar, Clock.BUSINESS, local(2026, 11, 20, 12), HOUR) == local(
        2026, 11, 21, 11
    )


def test_overlapping_windows_are_counted_once():
    overlapping = ((time(8), time(12)), (time(10), time(16)))
    calendar = BusinessCalendar(tz=HELSINKI, windows=(overlapping,) * 5 + ((), ()))
    assert calendar.day_seconds == 8 * HOUR


def test_a_window_that_closes_before_it_opens_is_refused():
    with pytest.raises(ValueError, match="close after it opens"):
        BusinessCalendar(windows=(((time(16), time(8)),),) * 7)


def test_a_window_closing_at_midnight_runs_to_the_end_of_the_day():
    evening = ((time(18), time(0)),)
    calendar = BusinessCalendar(tz=HELSINKI, windows=(evening,) * 7)
    assert calendar.day_seconds == 6 * HOUR
    assert add_clock_time(calendar, Clock.BUSINESS, local(2026, 11, 23, 12), 6 * HOUR) == local(
        2026, 11, 24, 0
    )
    assert add_clock_time(calendar, Clock.BUSINESS, local(2026, 11, 23, 23), 2 * HOUR) == local(
        2026, 11, 24, 19
    )


def test_a_calendar_open_around_the_clock_counts_real_time_even_at_dst():
    new_york = ZoneInfo("America/New_York")
    whole_day = ((time(0), time(0)),)
    calendar = BusinessCalendar(tz=new_york, windows=(whole_day,) * 7)
    # DST starts in New York on 2026-03-08 at 02:00: the day has 23 hours.
    start = datetime(2026, 3, 8, 0, tzinfo=new_york)
    end = datetime(2026, 3, 9, 0, tzinfo=new_york)
    assert clock_time_between(calendar, Clock.BUSINESS, start, end) == 23 * HOUR


def test_closed_dates_close_the_calendar():
    calendar = BusinessCalendar(tz=HELSINKI, closed_dates=frozenset({date(2026, 11, 23)}))
    assert add_clock_time(calendar, Clock.BUSINESS, local(2026, 11, 20, 15), DAY) == local(
        2026, 11, 24, 15
    )


def test_open_dates_keep_a_public_holiday_open():
    calendar = BusinessCalendar(
        tz=HELSINKI, holiday_country="FI", open_dates=frozenset({date(2026, 6, 19)})
    )
    assert FINLAND.is_closed_on(date(2026, 6, 19))
    assert not calendar.is_closed_on(date(2026, 6, 19))
    assert add_clock_time(calendar, Clock.BUSINESS, local(2026, 6, 18, 10), DAY) == local(
        2026, 6, 19, 10
    )


def test_a_closure_day_wins_over_an_open_day():
    day = date(2026, 6, 19)
    calendar = BusinessCalendar(
        holiday_country="FI", closed_dates=frozenset({day}), open_dates=frozenset({day})
    )
    assert calendar.is_closed_on(day)


def test_a_calendar_without_hours_refuses_business_time():
    closed = BusinessCalendar(windows=((),) * 7)
    with pytest.raises(ValueError, match="no opening hours"):
        add_clock_time(closed, Clock.BUSINESS, local(2026, 11, 23, 10), 60)
    # The 24/7 clock does not need opening hours.
    assert add_clock_time(closed, Clock.ALWAYS, local(2026, 11, 23, 10), 60) == local(
        2026, 11, 23, 10, 1
    )


def test_a_calendar_closed_for_years_is_reported_not_searched_forever():
    every_day = frozenset(date(2026, 1, 1) + timedelta(days=n) for n in range(366 * 12))
    calendar = BusinessCalendar(closed_dates=every_day)
    with pytest.raises(ValueError, match="no open time"):
        add_clock_time(calendar, Clock.BUSINESS, local(2026, 1, 1), 60)


def test_deadlines_far_apart_in_time_build_the_years_between():
    start = local(2020, 1, 2, 8)
    ten_years = add_clock_time(FINLAND, Clock.BUSINESS, start, 2500 * DAY)
    assert ten_years.year in (2029, 2030)
    assert clock_time_between(FINLAND, Clock.BUSINESS, start, ten_years) == 2500 * DAY
    # A start before the years already built extends the run backwards.
    assert clock_time_between(FINLAND, Clock.BUSINESS, local(2019, 12, 31, 8), start) == DAY


def test_count_from_next_day_starts_at_local_midnight():
    target = Target(Clock.BUSINESS, 2 * DAY, count_from_next_day=True)
    # Reported Monday 10:00: counting starts Tuesday, so two full days end Wednesday 16:30.
    assert due_at(FINLAND, target, local(2026, 11, 16, 10)) == local(2026, 11, 18, 16, 30)
    assert next_local_midnight(FINLAND, local(2026, 11, 16, 23, 59)) == local(2026, 11, 17)


def test_no_target_means_no_deadline_and_no_warning():
    assert due_at(FINLAND, None, local(2026, 11, 16, 10)) is None
    assert warning_at(FINLAND, None, local(2026, 11, 16, 10), 0.8) is None


def test_warning_comes_at_the_share_of_the_target_on_the_same_clock():
    p1 = Target(Clock.ALWAYS, HOUR)
    assert warning_at(FINLAND, p1, local(2026, 11, 21, 22), 0.8) == local(2026, 11, 21, 22, 48)
    p3 = Target(Clock.BUSINESS, DAY)
    # 80 % of 510 minutes is 408 minutes: Friday 15:00 + 1.5 h, then Monday 08:00 + 5 h 18 min.
    assert warning_at(FINLAND, p3, local(2026, 11, 20, 15), 0.8) == local(2026, 11, 23, 13, 18)


def test_a_warning_share_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        warning_at(FINLAND, Target(Clock.ALWAYS, HOUR), local(2026, 11, 21, 22), 1.5)


def test_a_negative_target_is_refused():
    with pytest.raises(ValueError, match="negative"):
        Target(Clock.ALWAYS, -1)
    with pytest.raises(ValueError, match="negative"):
        add_clock_time(FINLAND, Clock.ALWAYS, local(2026, 11, 21, 22), -1)


def test_an_unknown_clock_is_refused():
    with pytest.raises(ValueError):
        Target("sometimes", 60)
    with pytest.raises(ValueError, match="Unknown clock"):
        add_clock_time(FINLAND, "sometimes", local(2026, 11, 21, 22), 60)


def test_a_pause_moves_a_24x7_deadline_by_its_length():
    target = Target(Clock.ALWAYS, 6 * HOUR)
    pauses = [(local(2026, 11, 20, 12), local(2026, 11, 20, 14))]
    assert due_at(FINLAND, target, local(2026, 11, 20, 10), pauses) == local(2026, 11, 20, 18)


def test_a_night_time_pause_does_not_move_a_business_deadline():
    target = Target(Clock.BUSINESS, DAY)
    pauses = [(local(2026, 11, 20, 17), local(2026, 11, 23, 7))]
    assert due_at(FINLAND, target, local(2026, 11, 20, 15), pauses) == local(2026, 11, 23, 15)


def test_a_business_pause_moves_the_deadline_by_the_business_time_inside_it():
    target = Target(Clock.BUSINESS, DAY)
    # Friday 15:00–16:00 runs (1 h), paused until Monday 10:00, then 7.5 h more: Monday
    # 10:00–16:30 and Tuesday 08:00–09:00. Without the pause it would be Monday 15:00.
    pauses = [(local(2026, 11, 20, 16), local(2026, 11, 23, 10))]
    assert due_at(FINLAND, target, local(2026, 11, 20, 15), pauses) == local(2026, 11, 24, 9)


def test_a_pause_after_the_deadline_changes_nothing():
    target = Target(Clock.ALWAYS, HOUR)
    pauses = [(local(2026, 11, 20, 12), local(2026, 11, 20, 20))]
    assert due_at(FINLAND, target, local(2026, 11, 20, 10), pauses) == local(2026, 11, 20, 11)


def test_a_pause_running_when_measuring_starts_delays_the_start():
    target = Target(Clock.ALWAYS, HOUR)
    pauses = [(local(2026, 11, 20, 9), local(2026, 11, 20, 12))]
    assert due_at(FINLAND, target, local(2026, 11, 20, 10), pauses) == local(2026, 11, 20, 13)


def test_overlapping_pauses_count_once():
    target = Target(Clock.ALWAYS, HOUR)
    pauses = [
        (local(2026, 11, 20, 10, 30), local(2026, 11, 20, 11, 30)),
        (local(2026, 11, 20, 11), local(2026, 11, 20, 12)),
    ]
    # 30 min before the pauses, 90 min paused, 30 min after.
    assert due_at(FINLAND, target, local(2026, 11, 20, 10), pauses) == local(2026, 11, 20, 12, 30)


def test_a_pause_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="cannot end before it starts"):
        due_at(
            FINLAND,
            Target(Clock.ALWAYS, HOUR),
            local(2026, 11, 20, 10),
            [(local(2026, 11, 20, 12), local(2026, 11, 20, 11))],
        )


def test_business_intervals_list_the_open_stretches_clipped_to_the_span():
    intervals = business_intervals(FINLAND, local(2026, 11, 20, 15), local(2026, 11, 23, 15))
    assert intervals == [
        (local(2026, 11, 20, 15), local(2026, 11, 20, 16, 30)),
        (local(2026, 11, 23, 8), local(2026, 11, 23, 15)),
    ]
    assert all(begin.tzinfo is UTC and end.tzinfo is UTC for begin, end in intervals)


def test_business_intervals_are_empty_for_a_closed_or_empty_span():
    assert business_intervals(FINLAND, local(2026, 11, 21, 9), local(2026, 11, 22, 17)) == []
    assert business_intervals(FINLAND, local(2026, 11, 23, 12), local(2026, 11, 23, 12)) == []


def test_clock_and_target_kind_values_match_the_spec():
    assert Clock.ALWAYS == "24x7"
    assert Clock.BUSINESS == "business"
    assert Clock("24x7") is Clock.ALWAYS


def test_24x7_addition_is_real_time_for_a_start_in_a_dst_zone():
    # Helsinki local 23:00 the night DST starts: four real hours later it is 04:00 EEST.
    assert add_clock_time(FINLAND, Clock.ALWAYS, local(2026, 3, 28, 23), 4 * HOUR) == local(
        2026, 3, 29, 4
    )
    # The night DST ends, 03:30 happens twice; an hour after the first one is the second one.
    first = local(2026, 10, 25, 3, 30)
    due = add_clock_time(FINLAND, Clock.ALWAYS, first, HOUR)
    assert due.astimezone(HELSINKI).isoformat() == "2026-10-25T03:30:00+02:00"


def test_24x7_elapsed_is_real_time_for_instants_in_one_dst_zone():
    assert (
        clock_time_between(FINLAND, Clock.ALWAYS, local(2026, 3, 28, 23), local(2026, 3, 29, 4))
        == 4 * HOUR
    )
    first = local(2026, 10, 25, 3, 30)
    second = first.replace(fold=1)
    assert clock_time_between(FINLAND, Clock.ALWAYS, first, second) == HOUR


def test_a_calendar_describes_its_opening_hours_in_words():
    from datetime import time as t

    assert BusinessCalendar(tz=ZoneInfo("Europe/Helsinki"), holiday_country="FI").describe() == (
        "Monday to Friday 08:00–16:30 (Europe/Helsinki), not on public holidays in FI"
    )
    split = BusinessCalendar(
        tz=ZoneInfo("Europe/Stockholm"),
        windows={
            0: [(t(8), t(12)), (t(13), t(17))],
            1: [(t(8), t(12)), (t(13), t(17))],
            5: [(t(10), t(0))],
        },
    )
    assert split.describe() == (
        "Monday to Tuesday 08:00–12:00, 13:00–17:00; Saturday 10:00–24:00 (Europe/Stockholm)"
    )

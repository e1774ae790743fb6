"""Availability arithmetic, computed by hand.

Europe's weekly window is Sat 22:00 – Sun 02:00 UTC (§5.1.1): in Helsinki winter time that is
Sunday 00:00–04:00, so a Helsinki month that ends on a Saturday ends exactly when a window
starts. The 99.92 % target allows 0.08 % of the scheduled minutes.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla.availability import (
    DayState,
    OutageSpan,
    Span,
    WeeklyRule,
    availability,
    current_state,
    day_spans,
    day_states,
    local_day_end,
    measured_span,
    merge,
    month_span,
    outage_counted_time,
    preliminary_notice_at,
    subtract,
    total,
    weekly_occurrences,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
TARGET = Decimal("99.92")
MINUTE = timedelta(minutes=1)
EUROPE_WEEKLY = WeeklyRule(
    weekday=5,
    start=time(22, 0),
    length=timedelta(hours=4),
    effective_from=datetime(2020, 1, 1, tzinfo=UTC),
)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def minutes(delta: timedelta) -> float:
    return delta / MINUTE


def europe_windows(period: Span) -> list[Span]:
    return weekly_occurrences(EUROPE_WEEKLY, period)


def full(start, end) -> OutageSpan:
    return OutageSpan(start, end, full=True)


# --- months --------------------------------------------------------------------------------


def test_a_31_day_month_has_44640_minutes_from_helsinki_midnight_to_helsinki_midnight():
    january = month_span(2026, 1, HELSINKI)
    assert january == Span(utc(2025, 12, 31, 22), utc(2026, 1, 31, 22))
    assert minutes(january.length) == 31 * 24 * 60 == 44640


def test_october_has_745_hours_and_march_743_in_helsinki():
    assert minutes(month_span(2026, 10, HELSINKI).length) == 745 * 60
    assert minutes(month_span(2026, 3, HELSINKI).length) == 743 * 60
    assert month_span(2026, 10, HELSINKI) == Span(utc(2026, 9, 30, 21), utc(2026, 10, 31, 22))


def test_december_ends_at_new_year_in_helsinki():
    assert month_span(2026, 12, HELSINKI).end == utc(2026, 12, 31, 22)


def test_there_is_no_thirteenth_month():
    with pytest.raises(ValueError, match="no month 13"):
        month_span(2026, 13, HELSINKI)


# --- weekly windows ------------------------------------------------------------------------


def test_weekly_windows_start_every_saturday_at_22_utc_across_the_dst_change():
    october = month_span(2026, 10, HELSINKI)
    assert europe_windows(october) == [
        Span(utc(2026, 10, 3, 22), utc(2026, 10, 4, 2)),
        Span(utc(2026, 10, 10, 22), utc(2026, 10, 11, 2)),
        Span(utc(2026, 10, 17, 22), utc(2026, 10, 18, 2)),
        # Helsinki leaves summer time at 01:00 UTC on 25 October, inside this window: it still
        # lasts exactly four hours.
        Span(utc(2026, 10, 24, 22), utc(2026, 10, 25, 2)),
        # 31 October 22:00 UTC is midnight of 1 November in Helsinki: next month's window.
    ]


def test_a_window_that_began_before_the_span_is_included_when_it_overlaps():
    span = Span(utc(2026, 1, 4, 1), utc(2026, 1, 5))
    assert europe_windows(span) == [Span(utc(2026, 1, 3, 22), utc(2026, 1, 4, 2))]


def test_a_window_ending_exactly_at_the_span_start_is_not_included():
    assert europe_windows(Span(utc(2026, 1, 4, 2), utc(2026, 1, 10, 22))) == []


def test_a_rule_has_no_occurrences_before_it_took_effect_or_after_it_ended():
    rule = WeeklyRule(
        weekday=6,
        start=time(4, 0),
        length=timedelta(hours=4),
        effective_from=utc(2026, 1, 10),
        effective_until=utc(2026, 1, 25),
    )
    starts = [w.start for w in weekly_occurrences(rule, month_span(2026, 1, HELSINKI))]
    assert starts == [utc(2026, 1, 11, 4), utc(2026, 1, 18, 4)]


def test_a_rule_refuses_a_weekday_out_of_range():
    with pytest.raises(ValueError, match="weekday"):
        WeeklyRule(weekday=7, start=time(0), length=MINUTE, effective_from=utc(2026, 1, 1))


# --- availability, by hand -------------------------------------------------------------------


def test_a_31_day_month_with_a_40_minute_outage_falls_below_target():
    january = month_span(2026, 1, HELSINKI)
    windows = europe_windows(january)
    # Sundays 4, 11, 18 and 25 January, 00:00–04:00 Helsinki: 4 × 240 = 960 minutes.
    assert len(windows) == 4
    figures = availability(
        measured=january,
        maintenance=windows,
        outages=[full(utc(2026, 1, 14, 9), utc(2026, 1, 14, 9, 40))],
        now=utc(2026, 3, 1),
    )
    assert minutes(figures.maintenance) == 960
    assert minutes(figures.scheduled) == 44640 - 960 == 43680
    assert minutes(figures.unavailable) == 40
    assert figures.ratio == Fraction(43640, 43680)
    assert figures.percent == Decimal("99.908")
    assert figures.meets(TARGET) is False
    # The target allows 0.08 % of 43,680 minutes: 34.944 minutes.
    assert figures.allowance(TARGET) == timedelta(minutes=34, seconds=56, microseconds=640000)


def test_a_31_day_month_with_a_30_minute_outage_meets_target():
    january = month_span(2026, 1, HELSINKI)
    figures = availability(
        measured=january,
        maintenance=europe_windows(january),
        outages=[full(utc(2026, 1, 14, 9), utc(2026, 1, 14, 9, 30))],
        now=utc(2026, 3, 1),
    )
    assert figures.ratio == Fraction(43650, 43680)
    assert figures.percent == Decimal("99.931")
    assert figures.meets(TARGET) is True


def test_the_october_dst_month_counts_745_hours():
    october = month_span(2026, 10, HELSINKI)
    figures = availability(
        measured=october,
        maintenance=europe_windows(october),
        outages=[full(utc(2026, 10, 25, 3), utc(2026, 10, 25, 3, 35))],
        now=utc(2026, 12, 1),
    )
    assert minutes(figures.measured.length) == 44700
    assert minutes(figures.maintenance) == 960
    assert minutes(figures.scheduled) == 43740
    assert figures.ratio == Fraction(43740 - 35, 43740)
    # 0.08 % of 43,740 is 34.992 minutes: 35 minutes is just too many.
    assert figures.percent == Decimal("99.919")
    assert figures.meets(TARGET) is False


def test_an_outage_inside_a_weekly_window_does_not_count():
    january = month_span(2026, 1, HELSINKI)
    figures = availability(
        measured=january,
        maintenance=europe_windows(january),
        outages=[full(utc(2026, 1, 10, 23), utc(2026, 1, 11, 1, 30))],
        now=utc(2026, 3, 1),
    )
    assert figures.unavailable == timedelta(0)
    assert figures.ratio == 1
    assert figures.percent == Decimal("100.000")


def test_an_outage_straddling_a_window_start_counts_only_its_part_before_the_window():
    january = month_span(2026, 1, HELSINKI)
    outage = full(utc(2026, 1, 10, 21, 30), utc(2026, 1, 10, 22, 30))
    figures = availability(
        measured=january, maintenance=europe_windows(january), outages=[outage], now=utc(2026, 3, 1)
    )
    assert minutes(figures.unavailable) == 30
    assert (
        outage_counted_time(
            outage, measured=january, maintenance=europe_windows(january), now=utc(2026, 3, 1)
        )
        == 30 * MINUTE
    )


def test_an_outage_straddling_a_window_end_counts_only_its_part_after_the_window():
    january = month_span(2026, 1, HELSINKI)
    figures = availability(
        measured=january,
        maintenance=europe_windows(january),
        outages=[full(utc(2026, 1, 11, 1), utc(2026, 1, 11, 2, 45))],
        now=utc(2026, 3, 1),
    )
    assert minutes(figures.unavailable) == 45


def test_two_overlapping_outages_count_once():
    january = month_span(2026, 1, HELSINKI)
    outages = [
        full(utc(2026, 1, 14, 10), utc(2026, 1, 14, 11)),
        full(utc(2026, 1, 14, 10, 30), utc(2026, 1, 14, 11, 30)),
    ]
    figures = availability(
        measured=january, maintenance=europe_windows(january), outages=outages, now=utc(2026, 3, 1)
    )
    assert minutes(figures.unavailable) == 90
    assert figures.ratio == Fraction(43680 - 90, 43680)


def test_a_partial_outage_is_not_counted():
    january = month_span(2026, 1, HELSINKI)
    partial = OutageSpan(utc(2026, 1, 14, 10), utc(2026, 1, 14, 18), full=False)
    figures = availability(measured=january, maintenance=[], outages=[partial], now=utc(2026, 3, 1))
    assert figures.unavailable == timedelta(0)
    assert outage_counted_time(partial, measured=january, maintenance=[], now=utc(2026, 3, 1)) == (
        timedelta(0)
    )


def test_a_tenant_provisioned_mid_month_is_measured_from_provisioning():
    january = month_span(2026, 1, HELSINKI)
    measured = measured_span(january, provisioned_at=utc(2026, 1, 16, 12))
    # 16 Jan 12:00 UTC to 31 Jan 22:00 UTC: 15 days 10 hours = 22,200 minutes, with the
    # windows of 17/18 and 24/25 January (480 minutes) inside.
    assert measured == Span(utc(2026, 1, 16, 12), utc(2026, 1, 31, 22))
    figures = availability(
        measured=measured,
        maintenance=europe_windows(january),
        outages=[full(utc(2026, 1, 10, 9), utc(2026, 1, 10, 12))],  # before provisioning
        now=utc(2026, 3, 1),
    )
    assert minutes(figures.measured.length) == 22200
    assert minutes(figures.maintenance) == 480
    assert minutes(figures.scheduled) == 21720
    assert figures.unavailable == timedelta(0)


def test_measurement_ends_with_the_termination_day():
    january = month_span(2026, 1, HELSINKI)
    ends = local_day_end(date(2026, 1, 20), HELSINKI)
    assert ends == utc(2026, 1, 20, 22)
    measured = measured_span(january, provisioned_at=utc(2025, 6, 1), terminated_at=ends)
    assert measured == Span(january.start, utc(2026, 1, 20, 22))
    # 1 Jan 00:00 Helsinki to the end of 20 January: 20 days.
    assert minutes(measured.length) == 20 * 24 * 60


def test_nothing_is_measured_before_provisioning_or_after_termination():
    january = month_span(2026, 1, HELSINKI)
    assert measured_span(january, provisioned_at=None) is None
    assert measured_span(january, provisioned_at=utc(2026, 2, 3)) is None
    assert (
        measured_span(january, provisioned_at=utc(2025, 1, 1), terminated_at=utc(2025, 12, 1))
        is None
    )


def test_a_running_month_is_measured_until_now_and_an_ongoing_outage_until_now():
    january = month_span(2026, 1, HELSINKI)
    now = utc(2026, 1, 2, 22)
    measured = measured_span(january, provisioned_at=utc(2025, 1, 1), until=now)
    figures = availability(
        measured=measured,
        maintenance=europe_windows(january),
        outages=[OutageSpan(utc(2026, 1, 2, 21), None, full=True)],
        now=now,
    )
    assert minutes(figures.measured.length) == 2 * 24 * 60
    assert minutes(figures.unavailable) == 60
    assert figures.ratio == Fraction(2 * 24 * 60 - 60, 2 * 24 * 60)


def test_a_quarterly_window_and_the_weekly_window_inside_it_count_once():
    january = month_span(2026, 1, HELSINKI)
    # Europe's quarterly window: Fri 21:00 – Mon 02:00 UTC, 53 hours (§5.1.2).
    quarterly = Span(utc(2026, 1, 16, 21), utc(2026, 1, 19, 2))
    assert minutes(quarterly.length) == 53 * 60
    outage = full(utc(2026, 1, 19, 1), utc(2026, 1, 19, 3))  # one hour after the window
    figures = availability(
        measured=january,
        maintenance=[*europe_windows(january), quarterly],
        outages=[outage],
        now=utc(2026, 3, 1),
    )
    # 3 weekly windows outside it (3 × 240) + 3,180 for the quarterly one, which swallows the
    # weekly window of 17/18 January.
    assert minutes(figures.maintenance) == 720 + 3180 == 3900
    assert minutes(figures.scheduled) == 44640 - 3900
    assert minutes(figures.unavailable) == 60
    assert figures.ratio == Fraction(40740 - 60, 40740)


def test_no_scheduled_time_means_no_figure():
    window = Span(utc(2026, 1, 10, 22), utc(2026, 1, 11, 2))
    figures = availability(measured=window, maintenance=[window], outages=[], now=utc(2026, 2, 1))
    assert figures.ratio is None and figures.percent is None and figures.meets(TARGET) is None


def test_the_percentage_is_rounded_down_so_it_never_reads_as_the_target_when_below():
    measured = Span(utc(2026, 1, 1), utc(2026, 1, 1) + timedelta(minutes=100_000))
    outage = full(utc(2026, 1, 2), utc(2026, 1, 2) + timedelta(minutes=80, seconds=1))
    figures = availability(measured=measured, maintenance=[], outages=[outage], now=utc(2027, 1, 1))
    assert figures.percent == Decimal("99.919")
    assert figures.meets(TARGET) is False


# --- sets of spans ---------------------------------------------------------------------------


def test_merge_joins_overlapping_and_touching_spans():
    a = Span(utc(2026, 1, 1, 10), utc(2026, 1, 1, 11))
    b = Span(utc(2026, 1, 1, 11), utc(2026, 1, 1, 12))
    c = Span(utc(2026, 1, 1, 13), utc(2026, 1, 1, 14))
    assert merge([c, b, a]) == [Span(a.start, b.end), c]


def test_subtract_cuts_holes_out_of_spans():
    span = Span(utc(2026, 1, 1, 10), utc(2026, 1, 1, 14))
    hole = Span(utc(2026, 1, 1, 11), utc(2026, 1, 1, 12))
    assert subtract([span], [hole]) == [
        Span(utc(2026, 1, 1, 10), utc(2026, 1, 1, 11)),
        Span(utc(2026, 1, 1, 12), utc(2026, 1, 1, 14)),
    ]


def test_spans_refuse_naive_times_and_negative_lengths():
    with pytest.raises(ValueError, match="aware"):
        Span(datetime(2026, 1, 1), utc(2026, 1, 2))
    with pytest.raises(ValueError, match="end before"):
        Span(utc(2026, 1, 2), utc(2026, 1, 1))


instants = st.integers(min_value=0, max_value=10_000).map(lambda m: utc(2026, 1, 1) + m * MINUTE)
spans = st.tuples(instants, instants).map(lambda p: Span(min(p), max(p)))


@settings(deadline=None)
@given(st.lists(spans, max_size=8), st.lists(spans, max_size=8))
def test_set_arithmetic_properties(a, b):
    merged = merge(a)
    assert all(x.end < y.start for x, y in zip(merged, merged[1:], strict=False))
    assert total(a + b) <= total(a) + total(b)
    rest = subtract(a, b)
    assert not any(r.overlaps(h) for r in rest for h in b)
    assert total(rest) + total(subtract(a, rest)) == total(a)


@settings(deadline=None)
@given(st.lists(spans, max_size=6), st.lists(spans, max_size=6))
def test_availability_lies_between_zero_and_one(windows, downtime):
    measured = Span(utc(2026, 1, 1), utc(2026, 1, 1) + 10_000 * MINUTE)
    figures = availability(
        measured=measured,
        maintenance=windows,
        outages=[full(s.start, s.end) for s in downtime],
        now=utc(2027, 1, 1),
    )
    if figures.ratio is not None:
        assert 0 <= figures.ratio <= 1
    assert figures.unavailable <= figures.scheduled


# --- notices and status ----------------------------------------------------------------------


def test_the_preliminary_notice_is_due_on_the_tuesday_before_the_maintenance_weekend():
    nine = time(9, 0)
    # Europe's window of Sat 14 Nov 2026 22:00 UTC is Sunday 15 November in Helsinki.
    assert preliminary_notice_at(utc(2026, 11, 14, 22), HELSINKI, nine) == utc(2026, 11, 10, 7)
    # APAC's Saturday window and a quarterly window starting on a Friday: the same Tuesday.
    assert preliminary_notice_at(utc(2026, 11, 14, 15), HELSINKI, nine) == utc(2026, 11, 10, 7)
    assert preliminary_notice_at(utc(2026, 11, 13, 21), HELSINKI, nine) == utc(2026, 11, 10, 7)
    # A window moved to a Tuesday: the Tuesday a week earlier, never the same day.
    assert preliminary_notice_at(utc(2026, 11, 17, 12), HELSINKI, nine) == utc(2026, 11, 10, 7)
    # In summer time 09:00 Helsinki is 06:00 UTC.
    assert preliminary_notice_at(utc(2026, 6, 13, 22), HELSINKI, nine) == utc(2026, 6, 9, 6)


def test_the_current_state_puts_outages_before_maintenance():
    now = utc(2026, 1, 10, 23)
    window = Span(utc(2026, 1, 10, 22), utc(2026, 1, 11, 2))
    partial = OutageSpan(utc(2026, 1, 10, 20), None, full=False)
    ended = full(utc(2026, 1, 10, 20), utc(2026, 1, 10, 21))
    assert current_state(now=now, outages=[], maintenance=[]) == DayState.OPERATIONAL
    assert current_state(now=now, outages=[ended], maintenance=[window]) == DayState.MAINTENANCE
    assert current_state(now=now, outages=[partial], maintenance=[window]) == DayState.DEGRADED
    ongoing = OutageSpan(now, None, full=True)
    assert current_state(now=now, outages=[partial, ongoing], maintenance=[]) == DayState.OUTAGE


def test_each_day_shows_its_worst_state():
    days = day_spans(date(2026, 1, 9), 4, HELSINKI)
    now = utc(2026, 1, 11, 12)
    states = day_states(
        days,
        # 9 Jan 23:30 – 10 Jan 00:30 Helsinki touches both days.
        outages=[full(utc(2026, 1, 9, 21, 30), utc(2026, 1, 9, 22, 30))],
        maintenance=[Span(utc(2026, 1, 10, 22), utc(2026, 1, 11, 2))],
        measured_from=utc(2026, 1, 1),
        now=now,
    )
    assert states == [
        (date(2026, 1, 9), DayState.OUTAGE),
        (date(2026, 1, 10), DayState.OUTAGE),
        (date(2026, 1, 11), DayState.MAINTENANCE),
        (date(2026, 1, 12), DayState.NOT_MEASURED),  # has not begun
    ]


def test_days_before_provisioning_are_not_measured():
    days = day_spans(date(2026, 1, 9), 2, HELSINKI)
    states = day_states(
        days, outages=[], maintenance=[], measured_from=utc(2026, 1, 10, 12), now=utc(2026, 2, 1)
    )
    assert states == [
        (date(2026, 1, 9), DayState.NOT_MEASURED),
        (date(2026, 1, 10), DayState.OPERATIONAL),
    ]


def _minutes_of(spans) -> set[int]:
    origin = utc(2026, 1, 1)
    return {
        minute
        for s in spans
        for minute in range(int((s.start - origin) / MINUTE), int((s.end - origin) / MINUTE))
    }


@settings(deadline=None)
@given(st.lists(spans, max_size=8), st.lists(spans, max_size=8))
def test_merge_and_subtract_agree_with_counting_minutes(a, b):
    assert _minutes_of(merge(a)) == _minutes_of(a)
    assert _minutes_of(subtract(a, b)) == _minutes_of(a) - _minutes_of(b)
    assert total(a) == len(_minutes_of(a)) * MINUTE


def test_an_empty_span_shares_no_time_with_anything():
    hour = Span(utc(2026, 1, 1, 10), utc(2026, 1, 1, 11))
    instant = Span(utc(2026, 1, 1, 10, 30), utc(2026, 1, 1, 10, 30))
    assert not hour.overlaps(instant) and not instant.overlaps(hour)
    assert hour.overlaps(Span(utc(2026, 1, 1, 10, 59), utc(2026, 1, 1, 12)))
    assert not hour.overlaps(Span(utc(2026, 1, 1, 11), utc(2026, 1, 1, 12)))

"""Properties of the deadline arithmetic that must hold for any start, duration and calendar."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from sla.deadlines import (
    MIDNIGHT,
    BusinessCalendar,
    Clock,
    Target,
    add_clock_time,
    business_intervals,
    clock_time_between,
    due_at,
)

from .conftest import HELSINKI

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")

CALENDARS = {
    "helsinki": BusinessCalendar(tz=HELSINKI, holiday_country="FI"),
    "london-lunch-break-and-saturday": BusinessCalendar(
        tz=LONDON,
        windows={
            **{day: [(time(8), time(12)), (time(13), time(18))] for day in range(5)},
            5: [(time(10), time(14))],
        },
        holiday_country="GB",
        holiday_subdivision="ENG",
    ),
    # Open all Sunday, through the DST change at 02:00, and evenings until midnight.
    "new-york-sundays-and-evenings": BusinessCalendar(
        tz=NEW_YORK,
        windows={6: [(time(0), MIDNIGHT)], **{day: [(time(18), MIDNIGHT)] for day in range(5)}},
        holiday_country="US",
    ),
}

calendars = st.sampled_from(sorted(CALENDARS)).map(CALENDARS.__getitem__)
clocks = st.sampled_from([Clock.ALWAYS, Clock.BUSINESS])
instants = st.datetimes(
    min_value=datetime(2019, 1, 1),
    max_value=datetime(2031, 12, 31),
    timezones=st.sampled_from([UTC, HELSINKI, LONDON, NEW_YORK]),
    allow_imaginary=False,
)
durations = st.integers(min_value=0, max_value=40 * 510 * 60)
positive_durations = st.integers(min_value=1, max_value=40 * 510 * 60)
targets = st.builds(Target, clock=clocks, seconds=durations, count_from_next_day=st.booleans())


@st.composite
def pause_lists(draw):
    start = draw(instants)
    pauses = []
    for _ in range(draw(st.integers(0, 4))):
        # Offsets in UTC: wall-clock arithmetic in a DST zone can produce times that never exist.
        offset = timedelta(seconds=draw(st.integers(-3 * 86_400, 30 * 86_400)))
        begin = start.astimezone(UTC) + offset
        pauses.append((begin, begin + timedelta(seconds=draw(st.integers(0, 10 * 86_400)))))
    return start, pauses


def _inside_a_window_or_at_its_close(calendar: BusinessCalendar, instant: datetime) -> bool:
    """Checked on the local wall clock, independently of the engine's interval tables."""
    wall = instant.astimezone(calendar.tz)
    day, clock = wall.date(), wall.time().replace(tzinfo=None)
    if not calendar.is_closed_on(day):
        for opens, closes in calendar.windows[day.weekday()]:
            if opens < clock and (closes == MIDNIGHT or clock <= closes):
                return True
    if clock == MIDNIGHT:
        previous = day - timedelta(days=1)
        if not calendar.is_closed_on(previous):
            return any(closes == MIDNIGHT for _, closes in calendar.windows[previous.weekday()])
    return False


@settings(deadline=None)
@given(calendar=calendars, target=targets, start=instants)
def test_a_deadline_is_never_before_its_start(calendar, target, start):
    assert due_at(calendar, target, start) >= start


@settings(deadline=None)
@given(calendar=calendars, clock=clocks, start=instants, first=durations, second=durations)
def test_adding_a_then_b_equals_adding_a_plus_b(calendar, clock, start, first, second):
    stepwise = add_clock_time(
        calendar, clock, add_clock_time(calendar, clock, start, first), second
    )
    assert stepwise == add_clock_time(calendar, clock, start, first + second)


@settings(deadline=None)
@given(calendar=calendars, start=instants, seconds=positive_durations)
def test_a_business_deadline_lies_inside_a_window_or_at_its_close(calendar, start, seconds):
    due = add_clock_time(calendar, Clock.BUSINESS, start, seconds)
    assert _inside_a_window_or_at_its_close(calendar, due)


@settings(deadline=None)
@given(calendar=calendars, clock=clocks, start=instants, seconds=durations)
def test_elapsed_time_up_to_the_deadline_is_the_time_added(calendar, clock, start, seconds):
    due = add_clock_time(calendar, clock, start, seconds)
    assert clock_time_between(calendar, clock, start, due) == seconds


@settings(deadline=None)
@given(calendar=calendars, target=targets, start_and_pauses=pause_lists())
def test_pausing_never_shortens_a_deadline(calendar, target, start_and_pauses):
    start, pauses = start_and_pauses
    assert due_at(calendar, target, start, pauses) >= due_at(calendar, target, start)


@settings(deadline=None)
@given(
    calendar=calendars,
    clock=clocks,
    seconds=positive_durations,
    start_and_pauses=pause_lists(),
)
def test_coming_out_of_a_pause_never_makes_a_target_overdue_at_once(
    calendar, clock, seconds, start_and_pauses
):
    start, pauses = start_and_pauses
    target = Target(clock, seconds)
    unpaused = due_at(calendar, target, start)
    due = due_at(calendar, target, start, pauses)
    for pause_start, pause_end in pauses:
        if start < pause_start < unpaused and pause_end > start:
            assert due > pause_end or any(
                # Only a later pause of the same run may have taken over.
                other_start <= pause_end < other_end
                for other_start, other_end in pauses
            )


@settings(deadline=None)
@given(calendar=calendars, start=instants, seconds=positive_durations)
def test_the_listed_intervals_add_up_to_the_business_time_counted(calendar, start, seconds):
    start = start.replace(microsecond=0)
    due = add_clock_time(calendar, Clock.BUSINESS, start, seconds)
    intervals = business_intervals(calendar, start, due)
    assert sum((end - begin) // timedelta(seconds=1) for begin, end in intervals) == seconds
    assert all(begin < end for begin, end in intervals)
    assert all(a[1] <= b[0] for a, b in zip(intervals, intervals[1:], strict=False))

"""The vendor's business hours on another zone's clocks."""

from datetime import date
from zoneinfo import ZoneInfo

from sla.deadlines import BusinessCalendar
from sla.hours import business_hours_for, hours_in_zone

HELSINKI = BusinessCalendar(tz=ZoneInfo("Europe/Helsinki"), holiday_country="FI")
WINTER, SUMMER = date(2026, 11, 23), date(2026, 6, 15)


def test_the_hours_on_the_calendars_own_clock_match_its_description():
    assert hours_in_zone(HELSINKI, HELSINKI.tz, week_of=WINTER) == (
        "Monday to Friday 08:00–16:30 (Europe/Helsinki)"
    )
    assert HELSINKI.describe().startswith("Monday to Friday 08:00–16:30 (Europe/Helsinki)")


def test_berlin_reads_them_an_hour_earlier():
    assert hours_in_zone(HELSINKI, ZoneInfo("Europe/Berlin"), week_of=WINTER) == (
        "Monday to Friday 07:00–15:30 (Europe/Berlin)"
    )


def test_oregon_reads_them_the_evening_before_across_midnight():
    # 08:00 in Helsinki (UTC+2) is 22:00 the day before in Oregon (UTC-8).
    assert hours_in_zone(HELSINKI, ZoneInfo("America/Los_Angeles"), week_of=WINTER) == (
        "Sunday to Thursday 22:00–06:30 the next day (America/Los_Angeles)"
    )


def test_sydney_follows_its_own_daylight_saving_time():
    sydney = ZoneInfo("Australia/Sydney")
    assert hours_in_zone(HELSINKI, sydney, week_of=WINTER) == (
        "Monday to Friday 17:00–01:30 the next day (Australia/Sydney)"
    )
    assert hours_in_zone(HELSINKI, sydney, week_of=SUMMER) == (
        "Monday to Friday 15:00–23:30 (Australia/Sydney)"
    )


def test_a_reader_in_the_calendars_zone_gets_one_description():
    hours = business_hours_for(HELSINKI, ZoneInfo("Europe/Helsinki"), week_of=WINTER)
    assert hours.calendar == HELSINKI.describe()
    assert hours.yours == ""
    other = business_hours_for(HELSINKI, ZoneInfo("Europe/Berlin"), week_of=WINTER)
    assert other.yours == "Monday to Friday 07:00–15:30 (Europe/Berlin)"

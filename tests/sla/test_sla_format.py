from datetime import datetime
from zoneinfo import ZoneInfo

from sla.templatetags.sla_format import clock_duration, instant_in_zone, iso_in_zone

HELSINKI = ZoneInfo("Europe/Helsinki")


def test_clock_duration_reads_as_hours_and_minutes():
    assert clock_duration(510 * 60) == "8 h 30 min"
    assert clock_duration(3600) == "1 h"
    assert clock_duration(45 * 60) == "45 min"
    assert clock_duration(3600 + 5) == "1 h 0 min 5 s"
    assert clock_duration(0) == "0 s"
    assert clock_duration(None) == "–"


def test_an_instant_is_shown_in_the_zone_with_its_offset():
    due = datetime.fromisoformat("2026-11-23T13:00:00+00:00")
    assert instant_in_zone(due, "Europe/Helsinki") == "Mon 23 Nov 2026 15:00:00 +02:00"
    assert iso_in_zone(due, "Europe/Helsinki") == "2026-11-23T15:00:00+02:00"
    assert instant_in_zone(None, "Europe/Helsinki") == "–"


def test_an_hour_that_occurs_twice_keeps_its_offset():
    first = datetime(2026, 10, 25, 3, 30, tzinfo=HELSINKI)
    second = first.replace(fold=1)
    assert instant_in_zone(first, "Europe/Helsinki").endswith("03:30:00 +03:00")
    assert instant_in_zone(second, "Europe/Helsinki").endswith("03:30:00 +02:00")

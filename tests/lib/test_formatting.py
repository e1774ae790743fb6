"""One way of writing dates and instants: pages and mails read ``when`` and ``day`` in the
reader's zone, exports ISO 8601."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import timezone

from lib.formatting import clock_duration, clock_time, day, iso_day, iso_instant, when

HELSINKI = ZoneInfo("Europe/Helsinki")
DUE = datetime(2026, 11, 23, 13, 0, 37, 123456, tzinfo=UTC)


def test_clock_duration_reads_as_hours_and_minutes():
    assert clock_duration(510 * 60) == "8 h 30 min"
    assert clock_duration(3600) == "1 h"
    assert clock_duration(45 * 60) == "45 min"
    assert clock_duration(3600 + 5) == "1 h 0 min 5 s"
    assert clock_duration(0) == "0 s"
    assert clock_duration(None) == "–"


def test_an_instant_reads_to_the_minute_with_its_zone():
    assert when(DUE, HELSINKI) == "Mon 23 Nov 2026 15:00 EET"
    assert when(DUE, "America/Los_Angeles") == "Mon 23 Nov 2026 05:00 PST"
    assert when(None) == "–"
    assert clock_time(DUE, HELSINKI) == "15:00 EET"


def test_an_instant_reads_in_the_active_zone_by_default():
    with timezone.override(ZoneInfo("Australia/Sydney")):
        assert when(DUE) == "Tue 24 Nov 2026 00:00 AEDT"
        assert day(DUE) == "Tue 24 Nov 2026"


def test_the_hour_that_repeats_when_dst_ends_reads_differently_each_time():
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 03:30 EEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 03:30 EET
    assert when(first, HELSINKI) == "Sun 25 Oct 2026 03:30 EEST"
    assert when(second, HELSINKI) == "Sun 25 Oct 2026 03:30 EET"


def test_a_date_reads_with_its_weekday():
    assert day(date(2026, 3, 30)) == "Mon 30 Mar 2026"
    assert day(None) == "–"


def test_exports_write_iso_8601_to_the_second_with_the_offset():
    assert iso_instant(DUE, HELSINKI) == "2026-11-23T15:00:37+02:00"
    assert iso_instant(None) == ""
    assert iso_day(date(2026, 3, 30)) == "2026-03-30"


def test_every_template_has_the_filters_without_loading_them():
    with timezone.override(HELSINKI):
        text = Template("{{ at|when }} · {{ on|day }} · {{ at|when:'UTC' }}").render(
            Context({"at": DUE, "on": date(2026, 3, 30)})
        )
    assert text == "Mon 23 Nov 2026 15:00 EET · Mon 30 Mar 2026 · Mon 23 Nov 2026 13:00 UTC"

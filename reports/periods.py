"""Report periods: a month, a quarter, a year or a custom range of days, in the vendor's time
zone. Pure values; ``bounds`` turns a period into the half-open UTC range ``[start, end)`` the
database filters on, so a month of 743 or 745 hours (the DST months) is exactly its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from lib.formatting import day
from lib.forms import EARLIEST_DATE, LATEST_DATE

# Reports reach no further than the dates the portal accepts anywhere.
EARLIEST = EARLIEST_DATE
LATEST = LATEST_DATE
MAX_CUSTOM_DAYS = 3 * 366


class Kind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Period:
    """The local days ``first`` to ``last`` inclusive."""

    kind: Kind
    first: date
    last: date

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """``[start, end)`` in UTC: local midnight of ``first`` to local midnight after ``last``."""
        start = datetime.combine(self.first, time(0), tz).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(0), tz).astimezone(UTC)
        return start, end

    @property
    def label(self) -> str:
        if self.kind == Kind.MONTH:
            return f"{self.first:%B %Y}"
        if self.kind == Kind.QUARTER:
            return f"Q{(self.first.month - 1) // 3 + 1} {self.first.year}"
        if self.kind == Kind.YEAR:
            return str(self.first.year)
        return f"{day(self.first)} – {day(self.last)}"

    @property
    def slug(self) -> str:
        """The query-string value that names the period (``2026-11``, ``2026-Q4``, ``2026``)."""
        if self.kind == Kind.MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind == Kind.QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == Kind.YEAR:
            return str(self.first.year)
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def previous(self) -> Period:
        if self.kind == Kind.MONTH:
            return month(*_shift(self.first.year, self.first.month, -1))
        if self.kind == Kind.QUARTER:
            y, m = _shift(self.first.year, self.first.month, -3)
            return quarter(y, (m - 1) // 3 + 1)
        if self.kind == Kind.YEAR:
            return year(self.first.year - 1)
        length = self.last - self.first
        return custom(self.first - length - timedelta(days=1), self.first - timedelta(days=1))

    def next(self) -> Period:
        if self.kind == Kind.MONTH:
            return month(*_shift(self.first.year, self.first.month, 1))
        if self.kind == Kind.QUARTER:
            y, m = _shift(self.first.year, self.first.month, 3)
            return quarter(y, (m - 1) // 3 + 1)
        if self.kind == Kind.YEAR:
            return year(self.first.year + 1)
        length = self.last - self.first
        return custom(self.last + timedelta(days=1), self.last + length + timedelta(days=1))


def _shift(year_: int, month_: int, by: int) -> tuple[int, int]:
    index = year_ * 12 + (month_ - 1) + by
    return index // 12, index % 12 + 1


def _last_day(year_: int, month_: int) -> date:
    y, m = _shift(year_, month_, 1)
    return date(y, m, 1) - timedelta(days=1)


def _check(first: date, last: date) -> None:
    if first < EARLIEST or last > LATEST:
        raise ValueError(f"Reports cover {EARLIEST.year} to {LATEST.year}.")
    if last < first:
        raise ValueError("The period ends before it starts.")


def _check_year(year_: int) -> None:
    if not EARLIEST.year <= year_ <= LATEST.year:
        raise ValueError(f"Reports cover {EARLIEST.year} to {LATEST.year}.")


def month(year_: int, month_: int) -> Period:
    _check_year(year_)
    if not 1 <= month_ <= 12:
        raise ValueError("A month is 1 to 12.")
    return Period(Kind.MONTH, date(year_, month_, 1), _last_day(year_, month_))


def quarter(year_: int, number: int) -> Period:
    _check_year(year_)
    if not 1 <= number <= 4:
        raise ValueError("A quarter is 1 to 4.")
    return Period(Kind.QUARTER, date(year_, 3 * number - 2, 1), _last_day(year_, 3 * number))


def year(year_: int) -> Period:
    _check_year(year_)
    return Period(Kind.YEAR, date(year_, 1, 1), date(year_, 12, 31))


def custom(first: date, last: date) -> Period:
    _check(first, last)
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        raise ValueError(f"A custom period covers at most {MAX_CUSTOM_DAYS} days.")
    return Period(Kind.CUSTOM, first, last)


def last_full_month(today: date) -> Period:
    """The month before the one ``today`` (a local date) falls in: the reports' default."""
    return month(*_shift(today.year, today.month, -1))


def months_back(today: date, count: int) -> list[Period]:
    """The ``count`` full months before ``today``'s month, oldest first."""
    return [month(*_shift(today.year, today.month, -n)) for n in range(count, 0, -1)]


def parse(value: str) -> Period:
    """A period from its slug: ``2026-11``, ``2026-Q4``, ``2026`` or ``2026-01-01..2026-03-31``.
    Raises ``ValueError`` with a sentence a person understands."""
    value = (value or "").strip()
    try:
        if ".." in value:
            first, last = value.split("..", 1)
            return custom(date.fromisoformat(first), date.fromisoformat(last))
        if "-Q" in value.upper():
            year_, number = value.upper().split("-Q", 1)
            return quarter(int(year_), int(number))
        if "-" in value:
            year_, month_ = value.split("-", 1)
            return month(int(year_), int(month_))
        return year(int(value))
    except ValueError as exc:
        message = str(exc)
        if message.startswith(("Reports cover", "A month", "A quarter", "The period", "A custom")):
            raise
        raise ValueError(
            f"“{value[:40]}” is not a period: use 2026-11, 2026-Q4, 2026 or 2026-01-01..2026-03-31."
        ) from None

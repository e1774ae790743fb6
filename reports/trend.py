"""The monthly trend: compliance per priority and tickets filed, one row per month."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import django_tables2 as tables

from .compliance import _percent
from .periods import Period
from .selectors import MonthLine
from .tables import percent


def _key(value: datetime, tz: ZoneInfo) -> tuple[int, int]:
    local = value.astimezone(tz) if value.tzinfo else value
    return local.year, local.month


def trend_rows(
    months: list[Period],
    lines: list[MonthLine],
    volume: list[tuple[datetime, str, int]],
    tz: ZoneInfo,
) -> tuple[list[dict], list[str]]:
    """One row per month (oldest first): met and missed per priority, compliance per priority
    and overall, and the tickets filed. ``""`` is the service requests' priority."""
    counts: dict[tuple[int, int], dict[str, list[int]]] = {}
    for line in lines:
        counts.setdefault(_key(line.month, tz), {})[line.priority] = [line.met, line.missed]
    filed: dict[tuple[int, int], int] = {}
    for month, _priority, n in volume:
        filed[_key(month, tz)] = filed.get(_key(month, tz), 0) + n
    priorities = sorted({line.priority for line in lines}, key=lambda p: p or "ZZ")
    rows = []
    for period in months:
        key = (period.first.year, period.first.month)
        by_priority = counts.get(key, {})
        met = sum(c[0] for c in by_priority.values())
        missed = sum(c[1] for c in by_priority.values())
        rows.append(
            {
                "period": period,
                "label": period.label,
                "counts": by_priority,
                "compliance": {
                    p: float(v)
                    for p, (m, x) in by_priority.items()
                    if (v := _percent(m, m + x)) is not None
                },
                "overall": _percent(met, met + missed),
                "filed": filed.get(key, 0),
            }
        )
    return rows, priorities


class PriorityColumn(tables.Column):
    """One priority's compliance in a month: ``97.0 % (35 of 36)``."""

    def __init__(self, priority: str, **kwargs) -> None:
        kwargs.setdefault("verbose_name", priority or "Service requests")
        super().__init__(accessor="label", empty_values=(), **kwargs)
        self.priority = priority

    def value(self, record: dict, **kwargs) -> str:
        met_missed = record["counts"].get(self.priority)
        if not met_missed or not sum(met_missed):
            return "–"
        met, missed = met_missed
        return f"{percent(_percent(met, met + missed))} ({met} of {met + missed})"

    def render(self, record: dict, **kwargs) -> str:
        return self.value(record)


class TrendTable(tables.Table):
    label = tables.Column(verbose_name="Month")
    overall = tables.Column(verbose_name="All priorities", empty_values=())
    filed = tables.Column(verbose_name="Tickets filed")

    class Meta:
        orderable = False
        attrs = {"class": "table report-table"}

    def __init__(self, data, *, priorities: list[str], **kwargs) -> None:
        extra = [(f"p_{priority or 'SR'}", PriorityColumn(priority)) for priority in priorities]
        sequence = ["label", *[name for name, _ in extra], "overall", "filed"]
        super().__init__(data, extra_columns=extra, sequence=sequence, **kwargs)

    def value_overall(self, record: dict) -> str:
        return percent(record["overall"])

    def render_overall(self, record: dict) -> str:
        return self.value_overall(record)

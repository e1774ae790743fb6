"""Percentiles computed in the database, one row per group, never by reading the rows.

PostgreSQL has ``percentile_cont``. SQLite has none; there the group's values are gathered by
SQLite itself (``group_concat``, in C, one string per group), and ``percentile_cont``'s
definition (linear interpolation between closest ranks, position ``1 + p·(n − 1)``) is applied
to that one list when the row is read: exact for whole numbers (the clock times are whole
seconds) and to SQLite's 15 significant digits for others. An aggregate registered on the
connection would do the same but pays a Python call per row, twice as slow over a year of
targets. ``window`` is a third, portable method in plain SQL: it ranks each group's values with
``ROW_NUMBER()`` and ``COUNT(*) OVER`` and reads the values around the wanted rank. All three
give the same results (``tests/reports/test_percentiles.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from django.db import connection
from django.db.models import Aggregate, Field, QuerySet

# SQLite's answer: "<fractions>|<values>", both space-separated.
_SQLITE_SEPARATOR = "|"


class FloatList(Field):
    """Several numbers from one aggregate: a PostgreSQL array, or the percentiles of SQLite's
    gathered values."""

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        if isinstance(value, str):
            return sqlite_percentiles(value)
        return [None if part is None else float(part) for part in value]


class PercentilesCont(Aggregate):
    """Several percentiles of one expression in one pass: PostgreSQL's
    ``percentile_cont(ARRAY[…]) WITHIN GROUP (ORDER BY expression)``, or on SQLite the values
    gathered by ``group_concat`` and interpolated as ``percentile_cont`` does. Null values are
    left out; no values give ``None``."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatList()
    allow_distinct = False

    def __init__(self, expression, fractions: Sequence[float], **extra) -> None:
        if not fractions or not all(0 <= f <= 1 for f in fractions):
            raise ValueError("Percentile fractions lie between 0 and 1.")
        text = ", ".join(repr(float(f)) for f in fractions)
        super().__init__(expression, fractions=f"{text}::float8", **extra)
        self.fractions = tuple(float(f) for f in fractions)

    def as_sqlite(self, compiler, connection, **extra_context):
        clone = self.copy()
        # NULL when the group has no values: the concatenation is NULL too.
        prefix = " ".join(repr(f) for f in self.fractions) + _SQLITE_SEPARATOR
        clone.template = f"'{prefix}' || %(function)s(%(expressions)s, ' ')"
        extra_context["function"] = "group_concat"
        return super(PercentilesCont, clone).as_sql(compiler, connection, **extra_context)


def sqlite_percentiles(answer: str) -> list[float]:
    """The percentiles of SQLite's ``"<fractions>|<values>"``."""
    fractions, _, text = answer.partition(_SQLITE_SEPARATOR)
    values = sorted(float(part) for part in text.split(" "))
    return [_interpolate_sorted(values, Fraction(part)) for part in fractions.split(" ")]


def _interpolate_sorted(values: list[float], fraction: Fraction) -> float:
    position = fraction * (len(values) - 1)
    low = int(position)
    weight = position - low
    if weight == 0:
        return float(values[low])
    return float(values[low]) + float(weight) * (float(values[low + 1]) - float(values[low]))


def native_available() -> bool:
    return connection.vendor in ("postgresql", "sqlite")


def _interpolate(low: float | None, high: float | None, n: int, fraction: Fraction) -> float | None:
    if low is None or n == 0:
        return None
    position = fraction * (n - 1)  # zero-based
    weight = position - int(position)
    if weight == 0 or high is None:
        return float(low)
    return float(low) + float(weight) * (float(high) - float(low))


def window_percentiles(
    queryset: QuerySet,
    groups: Sequence[str],
    value: str,
    fractions: Sequence[float],
) -> dict[tuple, list[float | None]]:
    """``{group values: [percentile per fraction]}`` for the rows of ``queryset`` whose ``value``
    is not null, in one query of window functions (any database with them)."""
    rows = queryset.filter(**{f"{value}__isnull": False}).order_by().values(*groups, value)
    sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    inner_cols = [quote(name) for name in (*groups, value)]
    group_cols = ", ".join(f"g{i}" for i in range(len(groups)))
    picks = []
    exact = [Fraction(str(f)) for f in fractions]
    for index, fraction in enumerate(exact):
        # Integer arithmetic for the rank, so both databases floor the same way.
        numerator, denominator = fraction.numerator, fraction.denominator
        low = f"1 + ({numerator} * (n - 1)) / {denominator}"
        picks.append(f"MAX(CASE WHEN rn = {low} THEN v END) AS lo{index}")
        picks.append(f"MAX(CASE WHEN rn = {low} + 1 THEN v END) AS hi{index}")
    aliases = ", ".join(f"{col} AS g{i}" for i, col in enumerate(inner_cols[:-1]))
    partition = ", ".join(inner_cols[:-1]) or "1"
    ranked = (
        f"SELECT {aliases}{', ' if aliases else ''}{inner_cols[-1]} AS v, "
        f"ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY {inner_cols[-1]}) AS rn, "
        f"COUNT(*) OVER (PARTITION BY {partition}) AS n FROM ({sql}) base"
    )
    outer = (
        f"SELECT {group_cols}{', ' if group_cols else ''}MAX(n) AS n, {', '.join(picks)} "
        f"FROM ({ranked}) ranked" + (f" GROUP BY {group_cols}" if group_cols else "")
    )
    result: dict[tuple, list[float | None]] = {}
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        for row in cursor.fetchall():
            key = tuple(row[: len(groups)])
            n = row[len(groups)] or 0
            if not n:
                continue  # no rows at all: an ungrouped query still answers one empty row
            values = row[len(groups) + 1 :]
            result[key] = [
                _interpolate(values[2 * i], values[2 * i + 1], n, fraction)
                for i, fraction in enumerate(exact)
            ]
    return result


def percentiles(
    queryset: QuerySet,
    groups: Sequence[str],
    value: str,
    fractions: Sequence[float],
    *,
    method: str | None = None,
) -> dict[tuple, list[float | None]]:
    """Percentiles of ``value`` per group of ``groups`` over ``queryset`` (null values left
    out). ``method`` is ``"native"`` (PostgreSQL's ``percentile_cont``, on SQLite the gathered values),
    ``"window"`` or ``None`` for the best the database offers."""
    method = method or ("native" if native_available() else "window")
    if method == "window":
        return window_percentiles(queryset, groups, value, fractions)
    if method != "native":
        raise ValueError(f"Unknown percentile method {method!r}.")
    rows = queryset.filter(**{f"{value}__isnull": False}).order_by()
    if not groups:
        found = rows.aggregate(p=PercentilesCont(value, fractions))["p"]
        return {} if found is None else {(): found}
    return {
        tuple(row[g] for g in groups): row["p"]
        for row in rows.values(*groups).annotate(p=PercentilesCont(value, fractions))
    }

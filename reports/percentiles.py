"""Percentiles computed in the database, one row per group, never by reading the rows.

PostgreSQL has ``percentile_cont``. SQLite has none, so the portal gives it one: SQLite runs
aggregate functions its host registers on the connection (as Django registers its date
functions), and ``SqlitePercentile`` is ``percentile_cont``'s definition (linear interpolation
between closest ranks, position ``1 + p·(n − 1)``) over the group's values, registered on every
SQLite connection (``register_sqlite_percentile``). ``window`` is a third, portable method in
plain SQL: it ranks each group's values with ``ROW_NUMBER()`` and ``COUNT(*) OVER`` and reads
the values around the wanted rank. All three give the same results
(``tests/reports/test_percentiles.py``); the window method is the slowest on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from django.db import connection
from django.db.models import Aggregate, FloatField, QuerySet


class PercentileCont(Aggregate):
    """``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`` on PostgreSQL, the
    registered ``percentile_cont(expression, fraction)`` on SQLite."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def __init__(self, expression, fraction: float, **extra) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile's fraction lies between 0 and 1.")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="%(function)s(%(expressions)s, %(fraction)s)",
            **extra_context,
        )


class SqlitePercentile:
    """``percentile_cont`` as an SQLite aggregate: SQLite feeds it the group's values."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.0

    def step(self, value, fraction) -> None:
        if value is not None:
            self.values.append(value)
            self.fraction = fraction

    def finalize(self) -> float | None:
        if not self.values:
            return None
        self.values.sort()
        return _interpolate_sorted(self.values, Fraction(str(self.fraction)))


def _interpolate_sorted(values: list[float], fraction: Fraction) -> float:
    position = fraction * (len(values) - 1)
    low = int(position)
    weight = position - low
    if weight == 0:
        return float(values[low])
    return float(values[low]) + float(weight) * (float(values[low + 1]) - float(values[low]))


def register_sqlite_percentile(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: give every SQLite connection ``percentile_cont``."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("percentile_cont", 2, SqlitePercentile)


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
    out). ``method`` is ``"native"`` (PostgreSQL's, or the one registered on SQLite),
    ``"window"`` or ``None`` for the best the database offers."""
    method = method or ("native" if native_available() else "window")
    if method == "window":
        return window_percentiles(queryset, groups, value, fractions)
    if method != "native":
        raise ValueError(f"Unknown percentile method {method!r}.")
    aggregates = {f"p{i}": PercentileCont(value, f) for i, f in enumerate(fractions)}
    if not groups:
        row = queryset.filter(**{f"{value}__isnull": False}).order_by().aggregate(**aggregates)
        if row["p0"] is None:
            return {}
        return {(): [row[f"p{i}"] for i in range(len(fractions))]}
    rows = (
        queryset.filter(**{f"{value}__isnull": False})
        .order_by()
        .values(*groups)
        .annotate(**aggregates)
    )
    return {
        tuple(row[g] for g in groups): [row[f"p{i}"] for i in range(len(fractions))] for row in rows
    }

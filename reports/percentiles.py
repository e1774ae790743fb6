"""Percentiles computed in the database, one row per group, never by reading the rows.

PostgreSQL has ``percentile_cont``. SQLite has none, so ``window`` ranks each group's values
with ``ROW_NUMBER()`` and ``COUNT(*) OVER`` and reads the one or two values around the wanted
rank in the same query; the last step, interpolating between those two numbers, is the same
formula as ``percentile_cont``'s (linear interpolation between closest ranks, position
``1 + p·(n − 1)``). Both methods give the same results (``tests/reports/test_percentiles.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from django.db import connection
from django.db.models import Aggregate, FloatField, QuerySet


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def __init__(self, expression, fraction: float, **extra) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile's fraction lies between 0 and 1.")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def native_available() -> bool:
    return connection.vendor == "postgresql"


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
    rows = queryset.filter(**{f"{value}__isnull": False}).values(*groups, value)
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
    out). ``method`` is ``"native"`` (PostgreSQL), ``"window"`` or ``None`` for the best the
    database offers."""
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

"""Server-rendered SVG charts: no JavaScript and no inline styles (classes only, coloured by the
portal's stylesheet), every value also in a ``<title>`` a screen reader or a hover reads. Pages
show the same figures in a table beside each chart. Pure functions of plain values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 44


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    css: str = "series-1"


def _number(value: float, suffix: str) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"
    return f"{text}{suffix}"


def _frame(title: str, parts: list[str]) -> SafeString:
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
    )
    return mark_safe(head + "".join(parts) + "</svg>")


def _axes(labels: Sequence[str], y_min: float, y_max: float, suffix: str, x_of) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for step in range(5):
        value = y_min + (y_max - y_min) * step / 4
        y = TOP + plot_h - plot_h * step / 4
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_number(value, suffix))}</text>"
        )
    every = max(1, round(len(labels) / 12))
    for index, label in enumerate(labels):
        if index % every == 0:
            parts.append(
                f'<text class="axis" x="{x_of(index):.1f}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    return parts


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_min: float = 0.0,
    y_max: float = 100.0,
    suffix: str = " %",
    reference: tuple[float, str] | None = None,
) -> SafeString:
    """One line per series over ``labels`` (months, say); a gap where a value is ``None``. A
    dashed ``reference`` line (a goal) where given. A legend names the series below."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = (y_max - y_min) or 1.0

    def x_of(index: int) -> float:
        return LEFT + (plot_w * index / max(len(labels) - 1, 1))

    def y_of(value: float) -> float:
        value = min(max(value, y_min), y_max)
        return TOP + plot_h - plot_h * (value - y_min) / span

    parts = _axes(labels, y_min, y_max, suffix, x_of)
    if reference is not None:
        value, name = reference
        y = y_of(value)
        parts.append(
            f'<line class="reference" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
            f'y2="{y:.1f}"><title>{escape(name)}</title></line>'
        )
    for line in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(line.values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append((x_of(index), y_of(value)))
            parts.append(
                f'<circle class="point {line.css}" cx="{x_of(index):.1f}" cy="{y_of(value):.1f}" '
                f'r="3"><title>{escape(line.name)}, {escape(labels[index])}: '
                f"{escape(_number(value, suffix))}</title></circle>"
            )
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline class="line {line.css}" points="{points}"/>')
    for position, line in enumerate(series):
        x = LEFT + position * 110
        parts.append(
            f'<rect class="swatch {line.css}" x="{x}" y="{HEIGHT - 16}" width="10" height="10"/>'
            f'<text class="legend" x="{x + 14}" y="{HEIGHT - 7}">{escape(line.name)}</text>'
        )
    return _frame(title, parts)


def bar_chart(
    labels: Sequence[str], values: Sequence[int | float], *, title: str, suffix: str = ""
) -> SafeString:
    """One bar per label, from zero."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_value = max([*values, 0]) or 1
    # A round top for the axis: 1, 2 or 5 times a power of ten.
    magnitude = 10 ** (len(str(int(top_value))) - 1)
    y_max = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= top_value)
    slot = plot_w / max(len(values), 1)

    def x_of(index: int) -> float:
        return LEFT + slot * index + slot / 2

    parts = _axes(labels, 0, y_max, suffix, x_of)
    for index, value in enumerate(values):
        height = plot_h * value / y_max
        parts.append(
            f'<rect class="bar" x="{LEFT + slot * index + slot * 0.15:.1f}" '
            f'y="{TOP + plot_h - height:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}">'
            f"<title>{escape(labels[index])}: {escape(_number(value, suffix))}</title></rect>"
        )
    return _frame(title, parts)

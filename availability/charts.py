"""Server-rendered SVG charts: no JavaScript, no styles inside (classes only, coloured by
``static/css/availability.css``), every value also in a ``<title>`` and in the table each page
shows beside the chart. Pure functions of plain values; text is escaped here."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sla.availability import DayState

from .display import percent


@dataclass(frozen=True)
class Bar:
    label: str  # e.g. "Nov 2026"
    value: Decimal | None  # percent, None when not measured
    below_target: bool = False


def _scale_floor(values: list[Decimal], target: Decimal | None) -> Decimal:
    """The bottom of the y axis: availability lives just under 100 %, so the axis starts at a
    whole tenth below the lowest value or the target (at most 99.5 %), to keep the target line
    and the dips readable."""
    lowest = min([*values, *([target] if target is not None else []), Decimal("99.5")])
    return (lowest * 10).to_integral_value(rounding="ROUND_FLOOR") / 10 - Decimal("0.1")


def availability_bars(
    bars: list[Bar], *, target: Decimal | None, title: str, width: int = 640, height: int = 220
) -> SafeString:
    """A bar per month, the target as a dashed line. Bars below target carry ``bar-below``."""
    left, right, top, bottom = 56, 8, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [b.value for b in bars if b.value is not None]
    floor = _scale_floor(values, target)
    span = Decimal(100) - floor

    def y(value: Decimal) -> float:
        value = max(min(value, Decimal(100)), floor)
        return top + float((Decimal(100) - value) / span) * plot_h

    slot = plot_w / max(len(bars), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (floor, floor + span / 2, Decimal(100)):
        ty = y(tick)
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
            f'<text class="axis" x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end">'
            f"{tick:.2f}</text>"
        )
    for index, bar in enumerate(bars):
        x = left + index * slot + slot * 0.15
        w = slot * 0.7
        if bar.value is None:
            parts.append(
                f'<rect class="bar bar-none" x="{x:.1f}" y="{top + plot_h - 2:.1f}" '
                f'width="{w:.1f}" height="2"><title>{escape(bar.label)}: not measured</title></rect>'
            )
        else:
            by = y(bar.value)
            css = "bar bar-below" if bar.below_target else "bar bar-met"
            parts.append(
                f'<rect class="{css}" x="{x:.1f}" y="{by:.1f}" width="{w:.1f}" '
                f'height="{max(top + plot_h - by, 1):.1f}"><title>{escape(bar.label)}: '
                f"{escape(percent(bar.value))}</title></rect>"
            )
        parts.append(
            f'<text class="axis" x="{x + w / 2:.1f}" y="{height - 10}" text-anchor="middle">'
            f"{escape(bar.label.split(' ')[0])}</text>"
        )
    if target is not None:
        ty = y(target)
        parts.append(
            f'<line class="target" x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}">'
            f"<title>Target {escape(percent(target))}</title></line>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def day_strip(days: list[tuple[date, str]], *, title: str, width: int = 540) -> SafeString:
    """One cell per day, oldest left, classed ``day-<state>`` with the day and state as its
    title."""
    height = 28
    cell = width / max(len(days), 1)
    parts = [
        f'<svg class="strip" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="none" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (day, state) in enumerate(days):
        label = f"{day:%a} {day.day} {day:%b %Y}: {DayState.LABELS[state]}"
        parts.append(
            f'<rect class="day day-{state}" x="{index * cell:.2f}" y="0" '
            f'width="{max(cell - 1, 0.5):.2f}" height="{height}"><title>{escape(label)}</title></rect>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))

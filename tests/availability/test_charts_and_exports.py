"""The SVG drawing functions and the CSV cell neutralisation, as plain functions."""

from datetime import date
from decimal import Decimal

import pytest

from availability.charts import Bar, availability_bars, day_strip
from availability.tables import neutralise
from sla.availability import DayState


def test_bars_are_classed_by_target_and_every_value_has_a_title():
    svg = availability_bars(
        [
            Bar("Jan 2026", Decimal("99.908"), below_target=True),
            Bar("Feb 2026", Decimal("100.000")),
            Bar("Mar 2026", None),
        ],
        target=Decimal("99.92"),
        title="Monthly availability of <alpha>",
    )
    assert svg.startswith('<svg class="chart"') and svg.endswith("</svg>")
    assert 'aria-label="Monthly availability of &lt;alpha&gt;"' in svg
    assert svg.count('class="bar bar-below"') == 1 and svg.count('class="bar bar-met"') == 1
    assert "<title>Mar 2026: not measured</title>" in svg
    assert '<line class="target"' in svg and "<title>Target 99.920 %</title>" in svg
    assert "style=" not in svg and "<script" not in svg


def test_a_lower_bar_is_drawn_shorter():
    svg = availability_bars(
        [Bar("a", Decimal("99.0")), Bar("b", Decimal("100"))], target=None, title="t"
    )
    heights = [
        float(part.split('height="', 1)[1].split('"', 1)[0]) for part in svg.split("<rect")[1:]
    ]
    assert heights[0] < heights[1]


def test_the_strip_has_a_cell_per_day_with_its_state():
    days = [(date(2026, 11, d), s) for d, s in ((1, DayState.OPERATIONAL), (2, DayState.OUTAGE))]
    svg = day_strip(days, title="alpha-prod")
    assert svg.count("<rect") == 2
    assert '<rect class="day day-outage"' in svg and "<title>Mon 2 Nov 2026: Outage</title>" in svg


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("alpha-prod", "alpha-prod"),
        ("99.908", "99.908"),
        (-3, -3),
        (None, None),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_get_a_quote(cell, written):
    assert neutralise(cell) == written

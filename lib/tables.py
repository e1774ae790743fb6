"""Table columns for dates and instants: shown as the pages write them (``lib.formatting``), in
the reader's zone, and exported as ISO 8601."""

import django_tables2 as tables

from .formatting import day, iso_day, iso_instant, when


def label_cells(table: tables.Table) -> None:
    """Name each cell after its column (``data-label``), so that on a phone a table of class
    ``stack-on-phone`` shows its rows as cards of labelled values (``static/css/portal.css``)."""
    for bound in table.columns:
        td = dict(bound.column.attrs.get("td", {}))
        td.setdefault("data-label", str(bound.header))
        bound.column.attrs = {**bound.column.attrs, "td": td}


class InstantColumn(tables.Column):
    """An aware datetime: ``Mon 23 Nov 2026 15:00 EET`` on the page, ISO 8601 with the offset
    in CSV."""

    def render(self, value):
        return when(value)

    def value(self, value):
        return iso_instant(value)


class DayColumn(tables.Column):
    """A date: ``Mon 23 Nov 2026`` on the page, ``2026-11-23`` in CSV."""

    def render(self, value):
        return day(value)

    def value(self, value):
        return iso_day(value)

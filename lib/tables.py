"""Table columns for dates and instants (shown as the pages write them, ``lib.formatting``, in
the reader's zone, and exported as ISO 8601), and tables drawn in one pass from cell methods."""

from html import escape

import django_tables2 as tables
from django.utils.safestring import SafeString, mark_safe
from django_tables2.templatetags.django_tables2 import table_page_range

from .formatting import day, iso_day, iso_instant, when


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


class CellMethodsMixin:
    """A table whose page HTML is drawn in one pass from ``cell_<column>(record)`` methods.

    django-tables2 still gives the columns, their sort order and header classes, the
    pagination and the CSV export (``value_<column>`` or the column's plain value); the
    template ``tables/cells.html`` draws the header (``header_row``), the rows (``body_rows``)
    and the page links (``pagination_html``). django-tables2's generic path renders every
    cell and every link through templates and costs several times the database's time on a
    page of rows. Each ``cell_*`` method escapes the values it shows; the generic path (any
    other template) draws the same cells. Each cell names its column (``data-label``), which
    a phone shows beside the value when the rows stack (``stack-on-phone``).

    ``row_attributes(record)`` adds attributes to a row (escaped by the method); ``numbered_pages``
    shows page numbers (the paginator counts the rows) rather than only previous and next.
    """

    numbered_pages = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for bound in self.columns:
            cell = getattr(self, f"cell_{bound.name}", None)
            if cell is not None:
                bound.render = _safe_cell(cell)

    def row_attributes(self, record) -> str:
        return ""

    def _query(self, **changes: object) -> str:
        """This page's query string (filters included) with ``changes``; None drops a key."""
        query = self.request.GET.copy()
        for key, value in changes.items():
            if value is None:
                query.pop(key, None)
            else:
                query[key] = str(value)
        return escape(query.urlencode())

    def header_row(self) -> SafeString:
        """The ``<thead>``: a sort link on each orderable column, back to the first page."""
        cells = []
        for column in self.columns:
            attrs = column.attrs["th"].as_html()
            header = escape(str(column.header))
            if column.orderable:
                query = self._query(
                    **{
                        self.prefixed_order_by_field: column.order_by_alias.next,
                        self.prefixed_page_field: None,
                    }
                )
                header = f'<a href="?{query}">{header}</a>'
            cells.append(f"<th {attrs}>{header}</th>")
        return mark_safe(f"<thead><tr>{''.join(cells)}</tr></thead>")

    def body_rows(self) -> SafeString:
        """The ``<tr>`` rows of the current page."""
        renderers = [
            (getattr(self, f"cell_{column.name}"), escape(str(column.header)))
            for column in self.columns
        ]
        rows = []
        for row in self.paginated_rows:
            record = row.record
            cells = "".join(
                [
                    f'<td data-label="{label}">{render(record)}</td>'
                    if label
                    else f"<td>{render(record)}</td>"
                    for render, label in renderers
                ]
            )
            attrs = self.row_attributes(record)
            rows.append(f"<tr {attrs}>{cells}</tr>" if attrs else f"<tr>{cells}</tr>")
        # Every cell escapes the values it shows.
        return mark_safe("\n".join(rows))

    def pagination_html(self) -> SafeString:
        """Previous, the page numbers (or only this page's number, for a paginator that does
        not count), next."""
        page = getattr(self, "page", None)
        if page is None or not (page.has_previous() or page.has_next()):
            return mark_safe("")
        field = self.prefixed_page_field

        def link(number: int, text: str, css: str = "") -> str:
            css = f' class="{css}"' if css else ""
            return f'<li{css}><a href="?{self._query(**{field: number})}">{text}</a></li>'

        items = []
        if page.has_previous():
            items.append(link(page.previous_page_number(), "previous", "previous"))
        numbers = table_page_range(page, self.paginator) if self.numbered_pages else []
        for number in numbers or [page.number]:
            if number == page.number:
                items.append(
                    f'<li class="active"><span aria-current="page">page {number}</span></li>'
                    if not numbers
                    else f'<li class="active"><span aria-current="page">{number}</span></li>'
                )
            elif number == "...":
                items.append('<li class="gap"><span>…</span></li>')
            else:
                items.append(link(number, str(number)))
        if page.has_next():
            items.append(link(page.next_page_number(), "next", "next"))
        return mark_safe(
            f'<nav aria-label="Pages"><ul class="pagination">{"".join(items)}</ul></nav>'
        )


def _safe_cell(cell):
    def render(record):
        return mark_safe(cell(record))

    return render

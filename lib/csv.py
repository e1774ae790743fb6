"""CSV that a spreadsheet opens as data, never as formulas.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before reading one of those) is evaluated as a formula by Excel, LibreOffice and
Google Sheets: a customer's ticket subject ``=HYPERLINK(...)`` would become a live link or worse
on an engineer's machine. Following the OWASP "CSV Injection" guidance, such a cell is written
with a leading single quote, which spreadsheets show as text and do not evaluate.

Every CSV the portal produces goes through this module:

- ``csv_safe(value)`` for one value, ``csv_safe_row(values)`` for a row;
- ``csv_response(filename, header, rows)`` for a plain download;
- ``CsvExportMixin`` for django-tables2 views (``ExportMixin`` with only CSV and every cell
  neutralised); ``SafeCsvTableExport`` is its exporter.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django_tables2.export import ExportMixin, TableExport

# OWASP's list (ASVS 5.0, V1.2.10): also a leading NUL.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


def csv_safe(value: Any) -> Any:
    """``value`` as a spreadsheet will show it, not evaluate it. Numbers and other non-text
    values pass unchanged: ``-5`` is a number, only the text ``"-5"`` gets the quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_safe_row(values: Iterable[Any]) -> list[Any]:
    return [csv_safe(value) for value in values]


def csv_text(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """The CSV text of ``header`` and ``rows``, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_safe_row(header))
    for row in rows:
        writer.writerow(csv_safe_row(row))
    return out.getvalue()


def csv_response(filename: str, header: Iterable[Any], rows: Iterable[Iterable[Any]]):
    """A CSV download of ``rows`` under ``filename``."""
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class SafeCsvTableExport(TableExport):
    """django-tables2's exporter limited to CSV, with every cell (headers too) neutralised."""

    FORMATS = {TableExport.CSV: TableExport.FORMATS[TableExport.CSV]}

    @classmethod
    def is_valid_format(cls, export_format) -> bool:
        # Only what the pages offer: any other ``_export`` value is ignored and the page is shown,
        # rather than reaching tablib formats whose optional libraries are not installed.
        return export_format in cls.FORMATS

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        neutralised = dataset.__class__(title=dataset.title)
        neutralised.headers = csv_safe_row(dataset.headers or [])
        for row in dataset:
            neutralised.append(csv_safe_row(row))
        return neutralised


class CsvExportMixin(ExportMixin):
    """``ExportMixin`` for CSV only, through ``SafeCsvTableExport``."""

    export_class = SafeCsvTableExport
    export_formats = (TableExport.CSV,)

"""CSV cells that a spreadsheet would evaluate are written as text (OWASP CSV injection)."""

import csv
import io

import pytest

from lib.csv import csv_response, csv_safe, csv_safe_row, csv_text


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\0=1+1", "'\0=1+1"),
    ],
)
def test_a_cell_that_starts_a_formula_is_written_as_text(value, written):
    assert csv_safe(value) == written


@pytest.mark.parametrize("value", ["Agents cannot log in", "a=b", "", "1-2", " =not first"])
def test_ordinary_text_is_unchanged(value):
    assert csv_safe(value) == value


@pytest.mark.parametrize("value", [-5, 3.5, None, True])
def test_numbers_and_other_values_are_unchanged(value):
    assert csv_safe(value) is value


def test_a_row_is_neutralised_cell_by_cell():
    assert csv_safe_row(["=1", 2, "ok"]) == ["'=1", 2, "ok"]


def test_csv_text_neutralises_headers_and_rows_and_quotes_as_csv_does():
    text = csv_text(["=head", "Subject"], [[1, '=cmd|"/c calc"!A1'], [2, "plain, with comma"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["'=head", "Subject"],
        ["1", '\'=cmd|"/c calc"!A1'],
        ["2", "plain, with comma"],
    ]


def test_csv_response_is_a_download():
    response = csv_response("tickets.csv", ["Subject"], [["@evil"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="tickets.csv"'
    assert response.content.decode().splitlines() == ["Subject", "'@evil"]

"""Dates and instants in tables: the page's format on screen, ISO 8601 in every CSV."""

import csv
import io
import re
from datetime import UTC, date, datetime

import django_tables2 as tables
from django.urls import reverse

from lib.tables import DayColumn, InstantColumn

from ..tickets.helpers import file_ticket


class _Table(tables.Table):
    at = InstantColumn()
    on = DayColumn()


def test_columns_show_the_page_format_and_export_iso_8601():
    row = {"at": datetime(2026, 11, 23, 13, 0, tzinfo=UTC), "on": date(2026, 3, 30)}
    table = _Table([row])
    bound = table.rows[0]
    assert bound.get_cell("on") == "Mon 30 Mar 2026"
    # Rendered in the active zone (the test settings' default, the vendor's).
    assert bound.get_cell("at") == "Mon 23 Nov 2026 15:00 EET"
    assert bound.get_cell_value("at") == "2026-11-23T15:00:00+02:00"
    assert bound.get_cell_value("on") == "2026-03-30"


def test_the_ticket_list_exports_its_times_as_iso_8601(client, org_a):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod)
    response = client.get(reverse("tickets:list"), {"_export": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", rows[0]["Last update"])


def test_the_queue_exports_its_deadlines_as_iso_8601(client, org_a, engineers):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod)
    client.force_login(engineers["L1"])
    response = client.get(reverse("queue:list"), {"_export": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    for column in ("Next SLA deadline", "Last update"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", rows[0][column])

"""The monthly SLA statement's compliance comes from the reports: the same figures."""

from datetime import date

import time_machine

from availability.statements import statement_compliance_section

from .conftest import REPORT_NOW


def test_the_statement_shows_the_organisations_compliance_of_the_month(october, org_a, org_b):
    with time_machine.travel(REPORT_NOW, tick=False):
        alpha = statement_compliance_section(org_a.org, date(2026, 10, 1))
        beta = statement_compliance_section(org_b.org, date(2026, 10, 1))
    rows = {(r["priority"], r["target"]): (r["met"], r["total"], r["percent"]) for r in alpha.rows}
    assert rows[("P3", "Initial response")] == (2, 4, "50.0 %")
    assert rows[("Service request", "Delivery")] == (0, 1, "0.0 %")
    assert rows[("P3", "Ongoing update (product defect)")] == (1, 2, "50.0 %")
    assert [(r["priority"], r["target"], r["met"], r["total"]) for r in beta.rows] == [
        ("P3", "Initial response", 1, 1),
        ("P3", "Ongoing update", 0, 1),
    ]

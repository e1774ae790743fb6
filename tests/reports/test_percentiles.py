"""Percentiles in the database: PostgreSQL's percentile_cont and the window-function method give
percentile_cont's exact answers (linear interpolation between closest ranks)."""

from fractions import Fraction

import pytest

from reports.percentiles import percentiles
from tickets import services
from tickets.models import TicketTarget


def _reference(values: list[int], fraction: float) -> float:
    ordered = sorted(values)
    position = Fraction(str(fraction)) * (len(ordered) - 1)
    low = int(position)
    weight = position - low
    if weight == 0:
        return float(ordered[low])
    return float(ordered[low] + weight * (ordered[low + 1] - ordered[low]))


@pytest.fixture
def used(org_a):
    """Initial-response targets with these clock seconds used, P3 and P4 apart."""
    values = {"P3": [600, 60, 3600, 1800, 7200, 90, 120], "P4": [5, 1000], "P2": [42]}
    for priority, seconds in values.items():
        for value in seconds:
            ticket = services.ticket_create(
                submitter=org_a.contact,
                tenant_id=org_a.prod.pk,
                kind="incident",
                priority=priority,
                subject="Percentile",
                description="Data point.",
            )
            ticket.targets.update(used_seconds=value)
    # One without a value: left out.
    services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="incident",
        priority="P4",
        subject="No value",
        description="Still open.",
    )
    return values


METHODS = ["window", "native"]


@pytest.mark.parametrize("method", METHODS)
def test_median_and_p90_per_group_equal_percentile_cont(used, method):
    rows = TicketTarget.objects.filter(kind="initial_response")
    result = percentiles(rows, ["priority"], "used_seconds", [0.5, 0.9], method=method)
    assert set(result) == {("P2",), ("P3",), ("P4",)}
    for priority, values in used.items():
        median, p90 = result[(priority,)]
        assert median == pytest.approx(_reference(values, 0.5))
        assert p90 == pytest.approx(_reference(values, 0.9))
    # Written out for P3 (60, 90, 120, 600, 1800, 3600, 7200): the 4th value, and 90 % of the
    # way from the 6th to the 7th.
    assert result[("P3",)] == [600.0, pytest.approx(3600 + 0.4 * 3600)]


@pytest.mark.parametrize("method", METHODS)
def test_percentiles_over_no_groups_and_no_rows(used, method):
    rows = TicketTarget.objects.filter(kind="initial_response", priority="P4")
    assert percentiles(rows, [], "used_seconds", [0.5], method=method) == {(): [502.5]}
    none = TicketTarget.objects.filter(kind="delivery")
    assert percentiles(none, ["priority"], "used_seconds", [0.5], method=method) == {}


@pytest.mark.parametrize("method", METHODS)
def test_an_empty_set_has_no_percentiles_whatever_the_method(db, method):
    assert percentiles(TicketTarget.objects.all(), [], "used_seconds", [0.5], method=method) == {}

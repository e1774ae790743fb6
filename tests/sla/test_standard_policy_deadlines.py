"""Hand-computed deadlines of the standard policy (SPEC "Priorities" and "SLA clock
semantics"). Helsinki is UTC+2 (EET) in winter and UTC+3 (EEST) from 2026-03-29 03:00 to
2026-10-25 04:00; one business day is 08:00–16:30, i.e. 8 h 30 min of business time."""

from datetime import datetime

import pytest

from sla import services

from .conftest import HELSINKI

IR, ORT, RES = "initial_response", "ongoing_update", "resolution"

CASES = [
    # id, priority, target, start, product defect, expected due (Helsinki time)
    # The SPEC's own examples of "1 business day".
    ("tuesday-10-00", "P3", IR, "2026-11-17T10:00:00+02:00", False, "2026-11-18T10:00:00+02:00"),
    ("friday-15-00", "P3", IR, "2026-11-20T15:00:00+02:00", False, "2026-11-23T15:00:00+02:00"),
    ("saturday-11-00", "P3", IR, "2026-11-21T11:00:00+02:00", False, "2026-11-23T16:30:00+02:00"),
    # Edges of the business day: 08:00 is inside, 16:30 is outside.
    ("exactly-08-00", "P3", IR, "2026-11-23T08:00:00+02:00", False, "2026-11-23T16:30:00+02:00"),
    ("exactly-16-30", "P3", IR, "2026-11-23T16:30:00+02:00", False, "2026-11-24T16:30:00+02:00"),
    (
        "one-minute-before-close",
        "P3",
        IR,
        "2026-11-23T16:29:00+02:00",
        False,
        "2026-11-24T16:29:00+02:00",
    ),
    (
        "p4-from-friday-close",
        "P4",
        IR,
        "2026-11-20T16:30:00+02:00",
        False,
        "2026-11-24T16:30:00+02:00",
    ),
    # Evenings, nights and weekends.
    (
        "wednesday-evening",
        "P3",
        IR,
        "2026-11-18T20:00:00+02:00",
        False,
        "2026-11-19T16:30:00+02:00",
    ),
    (
        "thursday-early-morning",
        "P3",
        IR,
        "2026-11-19T06:00:00+02:00",
        False,
        "2026-11-19T16:30:00+02:00",
    ),
    (
        "sunday-before-midnight",
        "P3",
        IR,
        "2026-11-22T23:59:00+02:00",
        False,
        "2026-11-23T16:30:00+02:00",
    ),
    # UTC input gives the same instants.
    ("utc-input-friday", "P3", IR, "2026-11-20T13:00:00+00:00", False, "2026-11-23T15:00:00+02:00"),
    (
        "utc-input-08-00-local",
        "P3",
        IR,
        "2026-11-23T06:00:00+00:00",
        False,
        "2026-11-23T16:30:00+02:00",
    ),
    # Finnish holidays: Easter 2026 (Good Friday 3 Apr, Easter Monday 6 Apr).
    ("easter-thursday", "P3", IR, "2026-04-02T15:00:00+03:00", False, "2026-04-07T15:00:00+03:00"),
    (
        "easter-p4-wednesday",
        "P4",
        IR,
        "2026-04-01T12:00:00+03:00",
        False,
        "2026-04-07T12:00:00+03:00",
    ),
    ("on-easter-monday", "P3", IR, "2026-04-06T10:00:00+03:00", False, "2026-04-07T16:30:00+03:00"),
    # Midsummer Eve, Friday 19 June 2026.
    ("midsummer-eve", "P3", IR, "2026-06-18T10:00:00+03:00", False, "2026-06-22T10:00:00+03:00"),
    # Independence Day: Monday 6 Dec 2027 is closed; Sunday 6 Dec 2026 changes nothing.
    (
        "independence-day-2027",
        "P3",
        IR,
        "2027-12-03T15:00:00+02:00",
        False,
        "2027-12-07T15:00:00+02:00",
    ),
    (
        "independence-day-on-sunday",
        "P3",
        IR,
        "2026-12-04T15:00:00+02:00",
        False,
        "2026-12-07T15:00:00+02:00",
    ),
    # Christmas Eve, Christmas Day and Boxing Day.
    ("christmas-2026", "P3", IR, "2026-12-23T12:00:00+02:00", False, "2026-12-28T12:00:00+02:00"),
    (
        "christmas-2025-boxing-day-friday",
        "P3",
        IR,
        "2025-12-23T16:00:00+02:00",
        False,
        "2025-12-29T16:00:00+02:00",
    ),
    (
        "christmas-p4-ort",
        "P4",
        ORT,
        "2026-12-21T08:00:00+02:00",
        False,
        "2026-12-29T16:30:00+02:00",
    ),
    (
        "christmas-24x7-ignores-holidays",
        "P2",
        IR,
        "2026-12-24T10:00:00+02:00",
        False,
        "2026-12-24T14:00:00+02:00",
    ),
    # Other public holidays: Epiphany, May Day, Ascension Day.
    ("epiphany", "P3", IR, "2026-01-05T12:00:00+02:00", False, "2026-01-07T12:00:00+02:00"),
    ("may-day", "P3", IR, "2026-04-30T12:00:00+03:00", False, "2026-05-04T12:00:00+03:00"),
    ("ascension-day", "P3", IR, "2026-05-13T09:00:00+03:00", False, "2026-05-15T09:00:00+03:00"),
    # DST starts 2026-03-29 03:00 EET → 04:00 EEST: 24/7 counts real time, business counts hours open.
    (
        "dst-start-24x7-p1",
        "P1",
        IR,
        "2026-03-29T02:30:00+02:00",
        False,
        "2026-03-29T04:30:00+03:00",
    ),
    (
        "dst-start-24x7-p2",
        "P2",
        IR,
        "2026-03-28T23:00:00+02:00",
        False,
        "2026-03-29T04:00:00+03:00",
    ),
    (
        "dst-start-business",
        "P3",
        IR,
        "2026-03-27T12:00:00+02:00",
        False,
        "2026-03-30T12:00:00+03:00",
    ),
    (
        "dst-start-business-p4-ort",
        "P4",
        ORT,
        "2026-03-25T12:00:00+02:00",
        False,
        "2026-04-01T12:00:00+03:00",
    ),
    # DST ends 2026-10-25 04:00 EEST → 03:00 EET: 03:30 happens twice.
    ("dst-end-24x7-p1", "P1", IR, "2026-10-25T03:30:00+03:00", False, "2026-10-25T03:30:00+02:00"),
    (
        "dst-end-24x7-p2-ort",
        "P2",
        ORT,
        "2026-10-24T23:00:00+03:00",
        False,
        "2026-10-25T04:00:00+02:00",
    ),
    ("dst-end-business", "P3", IR, "2026-10-23T15:00:00+03:00", False, "2026-10-26T15:00:00+02:00"),
    # Ongoing response targets and the product-defect ORT.
    ("p3-ort", "P3", ORT, "2026-11-02T10:00:00+02:00", False, "2026-11-05T10:00:00+02:00"),
    (
        "p3-ort-product-defect",
        "P3",
        ORT,
        "2026-11-02T10:00:00+02:00",
        True,
        "2026-11-16T10:00:00+02:00",
    ),
    (
        "p3-defect-over-christmas",
        "P3",
        ORT,
        "2026-12-14T10:00:00+02:00",
        True,
        "2026-12-30T10:00:00+02:00",
    ),
    (
        "p4-ort-is-five-business-days",
        "P4",
        ORT,
        "2026-11-02T10:00:00+02:00",
        False,
        "2026-11-09T10:00:00+02:00",
    ),
    (
        "p4-ort-defect-unchanged",
        "P4",
        ORT,
        "2026-11-02T10:00:00+02:00",
        True,
        "2026-11-09T10:00:00+02:00",
    ),
    (
        "p1-ort-defect-unchanged",
        "P1",
        ORT,
        "2026-11-21T22:30:00+02:00",
        True,
        "2026-11-21T23:30:00+02:00",
    ),
    (
        "p2-ort-friday-evening",
        "P2",
        ORT,
        "2026-11-20T20:00:00+02:00",
        False,
        "2026-11-21T02:00:00+02:00",
    ),
    ("p1-ir-at-16-30", "P1", IR, "2026-11-23T16:30:00+02:00", False, "2026-11-23T17:30:00+02:00"),
    # Resolution: only P1 has one (4 h, 24/7).
    (
        "p1-resolution-weekend-night",
        "P1",
        RES,
        "2026-11-21T22:00:00+02:00",
        False,
        "2026-11-22T02:00:00+02:00",
    ),
    ("p2-has-no-resolution", "P2", RES, "2026-11-21T22:00:00+02:00", False, None),
    ("p3-has-no-resolution", "P3", RES, "2026-11-20T10:00:00+02:00", False, None),
]


@pytest.mark.parametrize(
    ("priority", "kind", "start", "defect", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_the_standard_policy_gives_the_hand_computed_deadline(
    standard, priority, kind, start, defect, expected
):
    due = services.compute_due(
        policy=standard,
        priority=priority,
        kind=kind,
        start=datetime.fromisoformat(start),
        product_defect=defect,
    )
    if expected is None:
        assert due is None
    else:
        assert due.astimezone(HELSINKI).isoformat() == expected
        assert due.utcoffset().total_seconds() == 0


def test_the_table_has_at_least_thirty_cases():
    assert len(CASES) >= 30
    assert len({case[0] for case in CASES}) == len(CASES)

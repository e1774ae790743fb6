"""The SLAs of seeds 002–004 load from fixtures and answer through sla_due."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from sla import services
from sla.models import Calendar, Policy, PolicyTarget

FIXTURES = ["seed_002_enghouse", "seed_003_cloudcti", "seed_004_connect_engage"]


@pytest.fixture
def seeds(db):
    for name in FIXTURES:
        call_command("loaddata", name, verbosity=0)


def due(policy: str, priority: str, target: str, start: str, *extra: str) -> str | None:
    out = StringIO()
    call_command(
        "sla_due",
        "--policy", policy, "--priority", priority, "--target", target, "--start", start,
        *extra, stdout=out,
    )  # fmt: skip
    return json.loads(out.getvalue())["due"]


def test_every_seed_loads_twice_without_duplicates(seeds):
    counts = (Calendar.objects.count(), Policy.objects.count(), PolicyTarget.objects.count())
    for name in FIXTURES:
        call_command("loaddata", name, verbosity=0)
    assert (
        Calendar.objects.count(),
        Policy.objects.count(),
        PolicyTarget.objects.count(),
    ) == counts
    assert set(Policy.objects.values_list("slug", flat=True)) == {
        "standard",
        "enghouse-standard",
        "enghouse-premium",
        "cloudcti",
        "connect-engage",
    }


def test_every_seed_target_is_valid(seeds):
    for target in PolicyTarget.objects.all():
        target.full_clean()
    for calendar in Calendar.objects.all():
        calendar.full_clean()


CASES = [
    # Enghouse (002): Mon–Fri 08:00–18:00 UK time, English bank holidays, business hours.
    ("enghouse-standard", "P1", "initial_response", "2026-11-20T17:45:00+00:00", "2026-11-23T08:15:00+00:00"),
    ("enghouse-standard", "P1", "initial_response", "2026-06-15T17:45:00+01:00", "2026-06-16T08:15:00+01:00"),
    ("enghouse-standard", "P1", "ongoing_update", "2026-11-20T17:00:00+00:00", "2026-11-23T09:00:00+00:00"),
    ("enghouse-standard", "P2", "resolution", "2026-11-20T13:00:00+00:00", "2026-11-23T11:00:00+00:00"),
    ("enghouse-standard", "P3", "initial_response", "2026-11-17T10:00:00+00:00", "2026-11-18T10:00:00+00:00"),
    ("enghouse-standard", "P2", "initial_response", "2026-12-24T17:30:00+00:00", "2026-12-29T08:30:00+00:00"),
    ("enghouse-standard", "P3", "ongoing_update", "2026-11-17T10:00:00+00:00", None),
    ("enghouse-premium", "P1", "initial_response", "2026-11-21T03:00:00+00:00", "2026-11-21T03:30:00+00:00"),
    ("enghouse-premium", "P3", "initial_response", "2026-11-21T03:00:00+00:00", "2026-11-23T18:00:00+00:00"),
    # CloudCTI (003): working days 08:30–17:00 NL; MTTR in working days starts the next day.
    ("cloudcti", "P1", "initial_response", "2026-11-20T15:00:00+01:00", "2026-11-23T10:30:00+01:00"),
    ("cloudcti", "P2", "resolution", "2026-11-16T10:00:00+01:00", "2026-11-18T17:00:00+01:00"),
    ("cloudcti", "P2", "resolution", "2026-11-16T07:00:00+01:00", "2026-11-18T17:00:00+01:00"),
    ("cloudcti", "P3", "initial_response", "2026-04-24T12:00:00+02:00", "2026-04-28T12:00:00+02:00"),
    ("cloudcti", "P1", "resolution", "2026-11-16T10:00:00+01:00", None),
    ("cloudcti", "P3", "ongoing_update", "2026-11-16T10:00:00+01:00", None),
    # Connect & Engage (004): 08:30–17:00 CE(S)T, Dutch holidays, P1–P5.
    ("connect-engage", "P5", "initial_response", "2026-11-16T09:00:00+01:00", "2026-11-16T17:00:00+01:00"),
    ("connect-engage", "P1", "ongoing_update", "2026-11-21T03:00:00+01:00", "2026-11-21T03:15:00+01:00"),
    ("connect-engage", "P3", "ongoing_update", "2026-05-22T16:00:00+02:00", "2026-05-26T09:30:00+02:00"),
    ("connect-engage", "P4", "ongoing_update", "2026-11-16T09:00:00+01:00", None),
]  # fmt: skip


@pytest.mark.parametrize(("policy", "priority", "target", "start", "expected"), CASES)
def test_a_seed_policy_answers_through_the_command(
    seeds, policy, priority, target, start, expected
):
    assert due(policy, priority, target, start) == expected


def test_connect_and_engage_counts_a_business_day_as_eight_hours(seeds):
    calendar = Calendar.objects.get(slug="connect-engage-nl")
    assert services.calendar_for(calendar.pk).day_seconds == 8 * 3600
    assert services.calendar_for(Calendar.objects.get(slug="cloudcti-nl").pk).day_seconds == (
        510 * 60
    )

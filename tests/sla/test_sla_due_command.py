"""manage.py sla_due (SPEC "Deadline calculator")."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def _test_database_url() -> str:
    """The database this test runs on, for a separate process to read."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def run(*args: str) -> subprocess.CompletedProcess:
    """Run ``manage.py sla_due`` as an operator would: a process with its exit status, stdout
    and stderr, on the test database (which the migrations filled and committed)."""
    return subprocess.run(
        [sys.executable, str(MANAGE), "sla_due", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": _test_database_url(),
            "PORTAL_VAR_DIR": str(settings.VAR_DIR),
        },
        check=False,
    )


def due(*args: str) -> str:
    out = StringIO()
    call_command("sla_due", *args, stdout=out)
    return out.getvalue()


ARGS = ["--policy", "standard", "--priority", "P3", "--target", "initial_response"]


@pytest.mark.django_db
def test_it_prints_the_spec_example_exactly():
    result = run(*ARGS, "--start", "2026-11-20T15:00:00+02:00")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == '{"due": "2026-11-23T15:00:00+02:00"}\n'


@pytest.mark.django_db
def test_the_due_instant_is_shown_in_the_calendar_time_zone():
    assert json.loads(due(*ARGS, "--start", "2026-11-20T13:00:00Z")) == {
        "due": "2026-11-23T15:00:00+02:00"
    }


@pytest.mark.django_db
def test_it_prints_null_where_the_priority_has_no_such_target():
    output = due(
        "--policy", "standard", "--priority", "P2", "--target", "resolution",
        "--start", "2026-11-20T15:00:00+02:00",
    )  # fmt: skip
    assert output == '{"due": null}\n'


@pytest.mark.django_db
def test_the_product_defect_flag_gives_the_defect_ort():
    args = ["--policy", "standard", "--priority", "P3", "--target", "ongoing_update"]
    start = ["--start", "2026-11-02T10:00:00+02:00"]
    assert json.loads(due(*args, *start)) == {"due": "2026-11-05T10:00:00+02:00"}
    assert json.loads(due(*args, *start, "--product-defect")) == {
        "due": "2026-11-16T10:00:00+02:00"
    }


@pytest.mark.django_db
def test_a_lowercase_priority_is_understood():
    args = ["--policy", "standard", "--priority", "p3", "--target", "initial_response"]
    assert json.loads(due(*args, "--start", "2026-11-20T15:00:00+02:00")) == {
        "due": "2026-11-23T15:00:00+02:00"
    }


BAD_ARGUMENTS = [
    pytest.param(
        ["--policy", "gold", "--priority", "P3", "--target", "initial_response",
         "--start", "2026-11-20T15:00:00+02:00"],
        "Unknown policy 'gold'; known policies: standard",
        id="unknown-policy",
    ),
    pytest.param(
        ["--policy", "standard", "--priority", "P9", "--target", "initial_response",
         "--start", "2026-11-20T15:00:00+02:00"],
        "Unknown priority 'P9'",
        id="unknown-priority",
    ),
    pytest.param(
        ["--policy", "standard", "--priority", "P5", "--target", "initial_response",
         "--start", "2026-11-20T15:00:00+02:00"],
        "Policy 'standard' has no priority P5; it uses P1, P2, P3, P4",
        id="priority-not-in-policy",
    ),
    pytest.param(
        ["--policy", "standard", "--priority", "P3", "--target", "breakfast",
         "--start", "2026-11-20T15:00:00+02:00"],
        "Unknown target 'breakfast'; use one of initial_response, ongoing_update, resolution",
        id="unknown-target",
    ),
    pytest.param(
        ["--policy", "standard", "--priority", "P3", "--target", "initial_response",
         "--start", "2026-11-20T15:00:00"],
        "has no UTC offset",
        id="start-without-offset",
    ),
    pytest.param(
        ["--policy", "standard", "--priority", "P3", "--target", "initial_response",
         "--start", "next friday"],
        "is not an ISO 8601 instant",
        id="start-not-a-date",
    ),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "message"), BAD_ARGUMENTS)
def test_a_bad_argument_gets_a_clear_error_and_a_non_zero_exit(args, message):
    result = run(*args)
    assert result.returncode != 0
    assert result.stdout == ""
    assert message in result.stderr


@pytest.mark.django_db
def test_a_missing_argument_is_refused():
    result = run("--policy", "standard", "--priority", "P3")
    assert result.returncode != 0
    assert "--target" in result.stderr and "--start" in result.stderr


@pytest.mark.django_db
def test_a_bad_argument_raises_command_error_for_callers_in_python():
    with pytest.raises(CommandError, match="no UTC offset"):
        call_command("sla_due", *ARGS, "--start", "2026-11-20T15:00:00")

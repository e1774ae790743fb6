"""The deadline calculator page for support staff."""

import re
from datetime import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from .conftest import local

URL = reverse("sla:calculator")
SPEC_EXAMPLE = {
    "policy": "standard",
    "priority": "P3",
    "target": "initial_response",
    "start": "2026-11-20T15:00",
}


def test_an_engineer_sees_the_due_instant_and_the_intervals(client, engineers):
    client.force_login(engineers["L1"])
    response = client.get(URL, SPEC_EXAMPLE)
    assert response.status_code == 200
    explanation = response.context["explanation"]
    assert explanation.due == local(2026, 11, 23, 15)
    assert explanation.interval_rows == [
        (local(2026, 11, 20, 15), local(2026, 11, 20, 16, 30), 90 * 60, 90 * 60),
        (local(2026, 11, 23, 8), local(2026, 11, 23, 15), 7 * 3600, 510 * 60),
    ]
    html = response.content.decode()
    assert 'datetime="2026-11-23T15:00:00+02:00"' in html
    assert "Mon 23 Nov 2026 15:00 EET" in html
    assert "8 h 30 min" in html


def test_a_manager_may_use_it_too(client, manager):
    client.force_login(manager)
    assert client.get(URL, SPEC_EXAMPLE).status_code == 200


def test_the_empty_form_shows_no_result(client, engineers):
    client.force_login(engineers["L2"])
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["explanation"] is None
    assert not response.context["form"].errors
    assert 'type="datetime-local" name="start" value="20' in response.content.decode()


def test_a_customer_contact_is_refused(client, org_a):
    client.force_login(org_a.contact)
    assert client.get(URL, SPEC_EXAMPLE).status_code == 403


def test_a_customer_admin_is_refused(client, org_a):
    client.force_login(org_a.admin)
    assert client.get(URL).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_24x7_target_lists_the_one_stretch_of_real_time(client, engineers):
    client.force_login(engineers["L1"])
    query = {**SPEC_EXAMPLE, "priority": "P1", "start": "2026-03-29T02:30"}
    explanation = client.get(URL, query).context["explanation"]
    assert explanation.due.astimezone(local(2026, 1, 1).tzinfo).isoformat() == (
        "2026-03-29T04:30:00+03:00"
    )
    assert len(explanation.interval_rows) == 1
    assert explanation.interval_rows[0][2] == 3600


def test_the_product_defect_box_gives_the_defect_ort(client, engineers):
    client.force_login(engineers["L4"])
    query = {**SPEC_EXAMPLE, "target": "ongoing_update", "start": "2026-11-02T10:00"}
    normal = client.get(URL, query).context["explanation"]
    defect = client.get(URL, {**query, "product_defect": "on"}).context["explanation"]
    assert normal.due == local(2026, 11, 5, 10)
    assert defect.due == local(2026, 11, 16, 10)


def test_no_target_is_said_plainly(client, engineers):
    client.force_login(engineers["L1"])
    response = client.get(URL, {**SPEC_EXAMPLE, "priority": "P2", "target": "resolution"})
    assert response.context["explanation"].due is None
    assert "no target" in response.content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"start": "yesterday"}, "start", "Enter a valid date/time."),
        ({"start": ""}, "start", "This field is required."),
        ({"policy": "gold"}, "policy", "Select a valid choice."),
        ({"priority": "P9"}, "priority", "Select a valid choice."),
        ({"priority": "P5"}, "priority", "has no priority P5"),
        ({"target": "breakfast"}, "target", "Select a valid choice."),
        ({"start": "2026-03-29T03:30"}, "start", "does not exist in Europe/Helsinki"),
    ],
)
def test_bad_input_shows_an_error_and_no_result(client, engineers, change, field, message):
    client.force_login(engineers["L1"])
    response = client.get(URL, {**SPEC_EXAMPLE, **change})
    assert response.status_code == 200
    assert response.context["explanation"] is None
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors)
    assert message.replace("'", "&#x27;") in response.content.decode()


def test_an_hour_that_happens_twice_means_its_first_occurrence(client, engineers):
    client.force_login(engineers["L1"])
    query = {**SPEC_EXAMPLE, "priority": "P1", "start": "2026-10-25T03:30"}
    explanation = client.get(URL, query).context["explanation"]
    assert explanation.start.utcoffset().total_seconds() == 3 * 3600
    assert "Sun 25 Oct 2026 03:30 EEST" in client.get(URL, query).content.decode()


def test_the_start_is_read_in_the_zone_of_the_chosen_policy(client, engineers):
    call_command("loaddata", "seed_003_cloudcti", verbosity=0)
    client.force_login(engineers["L1"])
    query = {"policy": "cloudcti", "priority": "P1", "target": "initial_response"}
    response = client.get(URL, {**query, "start": "2026-11-20T15:00"})
    explanation = response.context["explanation"]
    assert explanation.start == datetime.fromisoformat("2026-11-20T15:00:00+01:00")
    assert explanation.due == datetime.fromisoformat("2026-11-23T10:30:00+01:00")
    assert 'datetime="2026-11-23T10:30:00+01:00"' in response.content.decode()


def test_the_answer_reads_in_plain_words_without_seconds(client, engineers):
    client.force_login(engineers["L1"])
    # Saturday 11:00: the business clock only starts on Monday at 08:00.
    query = {**SPEC_EXAMPLE, "start": "2026-11-21T11:00"}
    html = client.get(URL, query).content.decode()
    result = html[html.index('id="result"') : html.index("</section>", html.index('id="result"'))]
    assert "A P3 initial response for an event at Sat 21 Nov 2026 11:00 EET is due at " in " ".join(
        result.split()
    )
    assert "Mon 23 Nov 2026 16:30 EET" in result
    assert "The target is one business day (8 h 30 min of business hours)" in result
    assert (
        "The event came outside business hours, so the clock started counting when they "
        "began, at Mon 23 Nov 2026 08:00 EET." in " ".join(result.split())
    )
    shown = re.sub(r'datetime="[^"]*"', "", html[html.index('id="result"') :])
    assert not re.search(r"\d\d:\d\d:\d\d", shown)


def test_the_calendars_hours_are_shown_in_the_readers_zone_too(client, engineers):
    engineer = engineers["L1"]
    engineer.time_zone = "Europe/Berlin"
    engineer.save()
    client.force_login(engineer)
    html = client.get(URL, SPEC_EXAMPLE).content.decode()
    assert "Monday to Friday 08:00–16:30 (Europe/Helsinki)" in html
    assert "In your time zone: Monday to Friday 07:00–15:30 (Europe/Berlin)." in html

"""Saving a form unchanged changes nothing (issue 10, defect 1): every date and date-time input
of the portal and of the admin shows its stored value in Chromium, and pressing its form's
button without touching it leaves the stored value exactly as it was, at a desktop and a 390 px
width. The onboarding checklist's planned go-live used to show as empty and be wiped.

Stored instants carry seconds and microseconds where the portal itself writes them (a ticket's
time, a heartbeat): the forms must not round them off either. Filter forms (GET) must send their
dates back as they were given.
"""

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from availability import selectors as availability_selectors
from availability import services as availability
from availability.models import MaintenanceSlot, MaintenanceWindow, Outage
from onboarding.models import OnboardingChecklist, OnboardingStep
from onboarding.services import onboarding_start
from sla.availability import Span
from sla.models import Calendar, ClosureDay, OpenDay, Policy
from tenants.demo import DEMO_PASSWORD
from tenants.models import DataCentre, Heartbeat, Organisation, Tenant, User

from .conftest import WIDTHS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATE_INPUTS = "input[type=date], input[type=datetime-local], input[type=month]"
# Admin dates and times are text inputs of these classes.
ADMIN_DATE_INPUTS = "input.vDateField, input.vTimeField"


def _row(model, pk, *, ignore=()):
    row = model.objects.filter(pk=pk).values().get()
    return {k: v for k, v in row.items() if k not in ignore}


def _save_unchanged(page, url, submit, snapshot, *, inputs=DATE_INPUTS, fill=None, unfold=None):
    """Open ``url`` (and the folded form named ``unfold``), check its date inputs show values,
    press ``submit`` untouched (after ``fill`` for fields that are not dates, such as a required
    reason) and compare ``snapshot()`` before and after."""
    before = snapshot()
    page.goto(url)
    page.wait_for_load_state("load")
    if unfold:
        page.locator("summary", has_text=unfold).click()
    shown = page.locator(inputs)
    assert shown.count() > 0, f"no date input on {url}"
    values = [shown.nth(i).input_value() for i in range(shown.count())]
    if fill:
        fill(page)
    with page.expect_navigation():
        submit(page).click()
    after = snapshot()
    assert after == before, (url, values)
    return values


@pytest.fixture
def stored(org_a, org_b, manager, superuser, engineers):
    """Objects with every kind of stored date and instant the forms edit."""
    availability.availability_defaults_ensure()
    now = timezone.now()
    checklist = onboarding_start(
        organisation=org_a.org,
        signed_on=date(2026, 11, 16),
        planned_go_live=date(2027, 3, 30),
        actor=manager,
    )
    step = checklist.steps.get(code="email_configuration")
    step.due_on = date(2027, 1, 15)
    step.save()
    outage = Outage.objects.create(
        tenant=org_a.prod,
        starts_at=now - timedelta(hours=3, seconds=-17, microseconds=-250),
        ends_at=now - timedelta(hours=1, seconds=-41, microseconds=-999),
        scope=Outage.Scope.FULL,
        cause="Routing failed.",
    )
    upcoming = [
        w
        for w in availability_selectors.maintenance_windows(
            ["europe"], Span(now + timedelta(hours=2), now + timedelta(days=9))
        )["europe"]
        if w.starts_at > now + timedelta(hours=2)
    ][0]
    window = availability.maintenance_window_open(
        region="europe", planned_starts_at=upcoming.planned_starts_at, actor=manager
    )
    org_b.org.contract_signed_on = date(2025, 3, 3)
    org_b.org.go_live_on = date(2025, 5, 12)
    org_b.org.terminated_on = date(2030, 12, 31)
    org_b.org.save()
    Heartbeat.objects.update_or_create(
        name="beat", defaults={"last_seen_at": now - timedelta(microseconds=123457)}
    )
    calendar = Calendar.objects.get(pk=Policy.objects.get(slug="standard").calendar_id)
    ClosureDay.objects.create(calendar=calendar, date=date(2026, 12, 28), reason="Office move")
    OpenDay.objects.create(calendar=calendar, date=date(2027, 1, 6), reason="Epiphany open")
    contact = org_a.contact
    contact.last_login = now - timedelta(days=2, microseconds=654321)
    contact.save()
    superuser.set_password(DEMO_PASSWORD)
    superuser.save()
    unprovisioned = Tenant.objects.create(
        organisation=org_b.org, name="beta-new", kind=Tenant.Kind.TEST, data_centre=DataCentre.EU
    )
    return {
        "checklist": checklist,
        "step": step,
        "outage": outage,
        "window": window,
        "calendar": calendar,
        "unprovisioned": unprovisioned,
    }


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_portals_forms_saved_unchanged_keep_every_date(
    open_page, live_server, manager, org_a, stored, width
):
    page = open_page(width)
    sign_in(page, live_server, manager.email)
    base = live_server.url
    checklist, step = stored["checklist"], stored["step"]

    values = _save_unchanged(
        page,
        base + reverse("onboarding:detail", args=[checklist.pk]),
        lambda p: p.locator(f"form[action$='/onboarding/{checklist.pk}/go-live/'] button"),
        lambda: _row(OnboardingChecklist, checklist.pk),
    )
    assert values == ["2027-03-30"]
    assert checklist.steps.get(code="testing").due_on == date(2027, 3, 30)

    values = _save_unchanged(
        page,
        base + reverse("onboarding:step_edit", args=[step.pk]),
        lambda p: p.get_by_role("button", name="Save"),
        lambda: _row(OnboardingStep, step.pk),
    )
    assert values == ["2027-01-15"]

    outage = stored["outage"]
    values = _save_unchanged(
        page,
        base + reverse("availability:outage_detail", args=[outage.pk]),
        lambda p: p.get_by_role("button", name="Save"),
        lambda: _row(Outage, outage.pk, ignore=("updated_at", "version")),
        inputs="details input[type=datetime-local]",
        unfold="Correct the outage",
    )
    assert all(values), values

    window = stored["window"]
    values = _save_unchanged(
        page,
        base + reverse("availability:window_detail", args=[window.pk]),
        lambda p: p.get_by_role("button", name="Move the window"),
        lambda: _row(MaintenanceWindow, window.pk, ignore=("updated_at",)),
        fill=lambda p: p.get_by_label("Reason").first.fill("Checking the form keeps the times."),
        inputs="details input[type=datetime-local]",
        unfold="Move",
    )
    assert all(values), values


@pytest.mark.parametrize("width", list(WIDTHS))
def test_filter_forms_send_their_dates_back_as_given(
    open_page, live_server, manager, org_a, stored, width
):
    page = open_page(width)
    sign_in(page, live_server, manager.email)
    cases = [
        (reverse("reports:sla"), {"start": "2026-10-05", "end": "2026-11-20"}, "Show"),
        (reverse("audit:list"), {"since": "2026-11-01", "until": "2026-11-30"}, "Filter"),
        (reverse("availability:outage_list"), {"since": "2026-11-02"}, "Show"),
        (reverse("availability:month"), {"month": "2026-10"}, "Show"),
        (
            reverse("sla:calculator"),
            {
                "policy": "standard",
                "priority": "P3",
                "target": "initial_response",
                "start": "2026-11-20T15:00",
            },
            "Calculate",
        ),
    ]
    for path, given, button in cases:
        query = "&".join(f"{k}={v}" for k, v in given.items())
        page.goto(f"{live_server.url}{path}?{query}")
        page.wait_for_load_state("load")
        for key, value in given.items():
            field = page.locator(f"main [name={key}]").first
            if field.get_attribute("type") in ("date", "month", "datetime-local"):
                assert field.input_value() == value, (path, key)
        with page.expect_navigation():
            page.locator("main").get_by_role("button", name=button, exact=True).first.click()
        sent = parse_qs(urlparse(page.url).query)
        for key, value in given.items():
            assert sent.get(key) == [value], (path, key, sent)
    # A month the statement picker was given shows in its month input (here with the
    # organisation left out, so the form comes back to say so).
    page.goto(f"{live_server.url}{reverse('availability:statement_index')}?month=2026-10")
    assert page.locator("main [name=month]").input_value() == "2026-10"


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_admins_forms_saved_unchanged_keep_every_date_and_time(
    open_page, live_server, superuser, org_a, org_b, stored, width
):
    page = open_page(width)
    sign_in(page, live_server, superuser.email)
    base = live_server.url
    save = lambda p: p.locator("input[name=_save]")  # noqa: E731
    device = TOTPDevice.objects.get(user=superuser)
    device.throttling_failure_timestamp = timezone.now() - timedelta(microseconds=42)
    device.save()
    slot = MaintenanceSlot.objects.order_by("pk").first()
    slot.effective_from = datetime(2024, 1, 1, 0, 0, 30, tzinfo=UTC)
    slot.save()
    cases = [
        (
            "admin:tenants_organisation_change",
            org_b.org.pk,
            lambda: _row(Organisation, org_b.org.pk),
        ),
        (
            "admin:tenants_tenant_change",
            stored["unprovisioned"].pk,
            lambda: _row(Tenant, stored["unprovisioned"].pk),
        ),
        ("admin:tenants_user_change", org_a.contact.pk, lambda: _row(User, org_a.contact.pk)),
        (
            "admin:tenants_heartbeat_change",
            Heartbeat.objects.get(name="beat").pk,
            lambda: _row(Heartbeat, Heartbeat.objects.get(name="beat").pk),
        ),
        (
            "admin:onboarding_onboardingchecklist_change",
            stored["checklist"].pk,
            lambda: _row(OnboardingChecklist, stored["checklist"].pk),
        ),
        (
            "admin:sla_calendar_change",
            stored["calendar"].pk,
            lambda: (
                _row(Calendar, stored["calendar"].pk, ignore=("updated_at",)),
                list(stored["calendar"].windows.values("weekday", "opens", "closes")),
                list(stored["calendar"].closure_days.values("date", "reason")),
                list(stored["calendar"].open_days.values("date", "reason")),
            ),
        ),
        (
            "admin:availability_maintenanceslot_change",
            slot.pk,
            lambda: _row(MaintenanceSlot, slot.pk),
        ),
        ("admin:otp_totp_totpdevice_change", device.pk, lambda: _row(TOTPDevice, device.pk)),
    ]
    for name, pk, snapshot in cases:
        values = _save_unchanged(
            page,
            base + reverse(name, args=[pk]),
            save,
            snapshot,
            inputs=ADMIN_DATE_INPUTS,
        )
        # A tenant not provisioned yet has an empty provisioning time, which stays empty.
        assert any(values) or name == "admin:tenants_tenant_change", (name, values)
        errors = page.locator(".errornote, .errorlist").all_inner_texts()
        assert not errors, (name, errors)
    # The stored instants the admin shows to the microsecond.
    assert OnboardingChecklist.objects.get(pk=stored["checklist"].pk).planned_go_live_on == (
        date(2027, 3, 30)
    )
    assert time(0, 0, 30) == slot.effective_from.time()

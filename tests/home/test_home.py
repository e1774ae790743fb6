"""Each role's home page says what to do next, in a bounded number of queries (issue 10,
item 1). Query counts are measured in the steady state: after a first visit, as the navigation's
counts and the managers' compliance glance are shared for a while."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from availability import services as availability
from reports import periods
from reports.compliance import compliance
from tickets import services
from tickets.models import Ticket

MAX_QUERIES = 8


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _ticket(org, *, tenant=None, priority="P3", subject="Agents cannot log in", now=None):
    return services.ticket_create(
        submitter=org.contact,
        tenant_id=(tenant or org.prod).pk,
        kind="incident",
        priority=priority,
        subject=subject,
        description="Since 09:40.",
        now=now,
    )


def _steady(client, url, django_assert_max_num_queries):
    # Both requests at one instant: the shared counts are kept per 20-second window, and two
    # requests either side of a window's end would count the refill as the page's own.
    with time_machine.travel(timezone.now(), tick=False):
        client.get(url)
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_customer_sees_what_waits_for_them_first(
    client, org_a, org_b, engineers, manager, django_assert_max_num_queries
):
    first = _ticket(org_a, subject="Reports are empty")
    asked = _ticket(org_a, subject="Chat is slow", priority="P2")
    services.ticket_reply(ticket=asked, author=engineers["L1"], body="Checking.")
    asked.refresh_from_db()
    services.ticket_wait_for_customer(
        ticket=asked, actor=engineers["L1"], message="Which browser?", version=asked.version
    )
    for n in range(6):
        _ticket(org_a, subject=f"Other {n}", tenant=org_a.test)
    _ticket(org_b, subject="Beta's own ticket")
    availability.outage_record(
        actor=manager,
        tenants=[org_a.prod],
        starts_at=timezone.now() - timedelta(minutes=20),
        scope="full",
        cause="Routing failed.",
    )
    org_a.prod.provisioned_at = timezone.now() - timedelta(days=30)
    org_a.prod.save()

    client.force_login(org_a.contact)
    body = _steady(client, reverse("home"), django_assert_max_num_queries)
    cards = body[body.index('id="open-tickets"') :]
    assert cards.index(f'data-ticket="{asked.pk}"') < cards.index(f'data-ticket="{first.pk}"')
    assert f'<li class="waiting-for-you" data-ticket="{asked.pk}">' in body
    assert "Support is waiting for your answer" in body
    assert "1 ticket waits for your answer" in body
    assert "First answer from support by " in body
    assert "Beta's own ticket" not in body
    assert 'class="button big" href="/tickets/new/">File a ticket</a>' in body
    assert 'data-tenant="alpha-prod">' in body
    prod_row = body[body.index('data-tenant="alpha-prod"') :]
    assert 'data-testid="tenant-state">Outage<' in prod_row[: prod_row.index("</tr>")]
    test_row = body[body.index('data-tenant="alpha-test"') :]
    assert "Not in service" in test_row[: test_row.index("</tr>")]


def test_an_engineer_sees_their_tickets_their_level_and_every_unassigned_p1(
    client, org_a, engineers, manager, django_assert_max_num_queries
):
    l1 = engineers["L1"]
    mine = _ticket(org_a, subject="Mine")
    services.ticket_take(ticket=mine, actor=l1, version=mine.version)
    services.ticket_customer_reply(ticket=mine, author=org_a.contact, body="Any news?")
    overdue = _ticket(
        org_a, subject="Overdue at L1", priority="P1", now=timezone.now() - timedelta(hours=2)
    )
    critical_l2 = _ticket(org_a, subject="P2 at L2", priority="P2")
    services.ticket_escalate(
        ticket=critical_l2, actor=manager, reason="Product question", version=critical_l2.version
    )
    calm = _ticket(org_a, subject="Calm P4", priority="P4")
    client.force_login(l1)
    body = _steady(client, reverse("home"), django_assert_max_num_queries)

    def section(heading_id):
        start = body.index(f'id="{heading_id}"')
        return body[start : body.index("</section>", start)]

    assert f"#{mine.pk} Mine" in section("mine-heading")
    assert f"#{overdue.pk} Overdue at L1" in section("urgent-heading")
    assert "Calm P4" not in section("urgent-heading")
    critical = section("critical-heading")
    assert "P2 at L2" in critical and "Overdue at L1" in critical
    assert "Calm P4" not in critical and str(calm.pk) not in critical
    assert "Any news?" not in body  # replies are listed, not quoted
    assert f"#{mine.pk} Mine</a>: Alpha Contact wrote" in section("replies-heading")


def test_a_manager_sees_the_day_by_level_the_load_and_last_month(
    client, org_a, engineers, manager, django_assert_max_num_queries
):
    # Mid last month (a Wednesday or so, 10:00): a P1 answered after its hour, and a P3
    # answered and resolved in time.
    today = timezone.localdate()
    mid = today.replace(day=1) - timedelta(days=15)
    month_ago = datetime.combine(mid, time(10), timezone.get_current_timezone())
    late = _ticket(org_a, priority="P1", now=month_ago)
    services.ticket_reply(
        ticket=late, author=manager, body="Sorry for the wait.", now=month_ago + timedelta(hours=3)
    )
    kept = _ticket(org_a, priority="P4", now=month_ago)
    services.ticket_resolve(
        ticket=kept,
        actor=manager,
        resolution_type="resolution",
        summary="Fixed.",
        version=kept.version,
        now=month_ago + timedelta(minutes=30),
    )
    # Today: an overdue P1 at L1, and an L2 engineer holding a ticket.
    _ticket(org_a, priority="P1", subject="Down now", now=timezone.now() - timedelta(hours=2))
    held = _ticket(org_a, subject="Held at L2")
    services.ticket_escalate(ticket=held, actor=manager, reason="Needs L2", version=held.version)
    held.refresh_from_db()
    services.ticket_take(ticket=held, actor=engineers["L2"], version=held.version)

    client.force_login(manager)
    body = _steady(client, reverse("home"), django_assert_max_num_queries)
    levels = body[body.index('id="levels"') :]
    l1_row = levels[levels.index('data-level="L1"') : levels.index('data-level="L2"')]
    overdue = Ticket.objects.filter(level="L1", next_due_at__lt=timezone.now()).count()
    assert overdue == 2  # last month's P1 still owes updates, and today's
    assert f'breached=yes">{overdue}</a>' in l1_row
    load = body[body.index('id="engineer-load"') :]
    assert "<td>Engineer L2</td><td>L2</td><td>1</td>" in load
    assert "<td>Engineer L4</td><td>L4</td><td>0</td>" in load
    glance = body[body.index('id="compliance-glance"') :]
    period = periods.last_full_month(today)
    start, end = period.bounds(timezone.get_current_timezone())
    expected = compliance(start=start, end=end, now=timezone.now())
    assert expected.met and expected.missed
    assert f"SLA compliance in {period.label}" in glance
    assert (
        f"<strong>{expected.compliance} %</strong> of the targets due were met: {expected.met} "
        f'met, <span class="bad-text">{expected.missed} missed</span>'
    ) in glance
    assert "P1 initial response: 0.0 % against 95.0 %" in glance
    assert "have not run yet" in body
    assert Ticket.objects.count() == 4


def test_the_home_pages_stay_within_their_queries_with_many_tickets(
    client, org_a, engineers, manager, django_assert_max_num_queries
):
    for n in range(30):
        ticket = _ticket(org_a, subject=f"Ticket {n}", priority="P2" if n % 3 else "P3")
        if n % 4 == 0:
            services.ticket_take(ticket=ticket, actor=engineers["L1"], version=ticket.version)
            services.ticket_customer_reply(ticket=ticket, author=org_a.contact, body="More logs.")
    for person in (org_a.contact, engineers["L1"], manager):
        client.force_login(person)
        _steady(client, reverse("home"), django_assert_max_num_queries)


def test_sign_in_takes_the_email_in_the_username_field(client, org_a):
    for email in ("ADMIN@alpha.example", "admin@alpha.example"):
        response = client.post(
            reverse("login"), {"username": email, "password": "portal-demo-2026"}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        client.logout()

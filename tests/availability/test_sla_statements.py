"""The monthly SLA statement (``sla_statements_send`` with a fixed ``now``): on the first working
day of the month from 08:00 Helsinki, once per organisation and month, to the main contact and
technical administrators, with the same figure as the pages."""

from datetime import date, timedelta

from django.core import mail

from availability import selectors
from availability.models import Outage, SlaStatement
from availability.statements import (
    ComplianceSection,
    sla_statements_send,
    statement_compliance_section,
    statement_for,
)
from tenants.models import ContactRole, Tenant
from tests.factories import ContactFactory

from .conftest import local, provision, utc

# 1 January 2027 is a Friday and a public holiday in Finland; the first working day of January
# is Monday 4 January.
NEW_YEAR = local(2027, 1, 1, 9, 0)
FIRST_WORKING_DAY = local(2027, 1, 4, 8, 0)


def _p1_outage(tenant, minutes):
    start = utc(2026, 12, 9, 10)
    return Outage.objects.create(
        tenant=tenant,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        scope="full",
        cause="Calls dropped.",
    )


def test_the_statement_waits_for_the_first_working_day_at_eight(provisioned, run_job):
    assert run_job(sla_statements_send, now=NEW_YEAR) == 0
    assert run_job(sla_statements_send, now=FIRST_WORKING_DAY - timedelta(minutes=1)) == 0
    assert run_job(sla_statements_send, now=FIRST_WORKING_DAY) == 2
    assert sorted(SlaStatement.objects.values_list("organisation__slug", "month")) == [
        ("alpha", date(2026, 12, 1)),
        ("beta", date(2026, 12, 1)),
    ]


def test_it_is_sent_once_per_organisation_and_month(provisioned, run_job):
    run_job(sla_statements_send, now=FIRST_WORKING_DAY)
    assert run_job(sla_statements_send, now=FIRST_WORKING_DAY + timedelta(hours=1)) == 0
    # Beat was down on the day: the next run in the month catches up, once.
    assert len(mail.outbox) == 2


def test_a_run_after_downtime_later_in_the_month_catches_up(provisioned, run_job):
    assert run_job(sla_statements_send, now=local(2027, 1, 19, 15, 0)) == 2


def test_it_goes_to_the_main_contact_and_technical_administrators_with_the_page_figure(
    provisioned, run_job
):
    org_a, _ = provisioned
    technical = ContactFactory(
        organisation=org_a.org, email="tech@alpha.example", contact_role=ContactRole.TECHNICAL_ADMIN
    )
    _p1_outage(org_a.prod, 50)
    run_job(sla_statements_send, now=FIRST_WORKING_DAY)
    message = next(m for m in mail.outbox if "Alpha" in m.subject)
    assert message.to == ["admin@alpha.example", technical.email]
    assert message.subject == "SLA statement for December 2026: Alpha"
    [december] = selectors.tenant_months(
        selectors.tenant_rows(Tenant.objects.filter(pk=org_a.prod.pk)),
        2026,
        12,
        now=FIRST_WORKING_DAY,
    )
    # December 2026 in Helsinki: 44,640 minutes; Europe's windows of 5/6, 12/13, 19/20 and
    # 26/27 December: 960; 50 minutes down: 43,630 / 43,680.
    assert str(december.percent) == "99.885"
    assert "- alpha-prod (Production): 99.885 %, below target" in message.body
    assert "- alpha-test (Test): 100.000 %, target met" in message.body
    assert "http://127.0.0.1:8000/availability/?month=2026-12" in message.body
    stored = SlaStatement.objects.get(organisation=org_a.org)
    assert stored.recipients == ["admin@alpha.example", technical.email]
    assert stored.figures["tenants"][0] == {
        "tenant": "alpha-prod",
        "percent": "99.885",
        "target": "99.920",
        "met": False,
    }


def test_organisations_without_a_tenant_in_service_get_none(org_a, org_b, defaults, run_job):
    provision(org_a.prod, at=utc(2027, 1, 2))  # provisioned after December
    assert run_job(sla_statements_send, now=FIRST_WORKING_DAY) == 0
    assert not SlaStatement.objects.exists()


def test_the_compliance_section_is_empty_until_the_reports_provide_it(provisioned):
    org_a, _ = provisioned
    assert statement_compliance_section(org_a.org, date(2026, 12, 1)) == ComplianceSection(rows=[])
    statement = statement_for(org_a.org, year=2026, month=12, now=FIRST_WORKING_DAY)
    assert statement.compliance.rows == []
    assert [t.tenant.name for t in statement.tenants] == ["alpha-prod", "alpha-test"]

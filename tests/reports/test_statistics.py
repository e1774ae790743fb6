"""Planner statistics: SQLite keeps none of its own, and the reports' plan needs them."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from lib.database import refresh_statistics
from reports.compliance import compliance_rows
from reports.tasks import database_statistics
from tickets import services
from tickets.models import TicketTarget


def _history(org, cycles: int) -> None:
    """One ticket with ``cycles`` met update cycles over the past year."""
    ticket = services.ticket_create(
        submitter=org.contact,
        tenant_id=org.prod.pk,
        kind="incident",
        priority="P3",
        subject="Long history",
        description="Many cycles",
    )
    now = timezone.now()
    template = TicketTarget.objects.filter(ticket=ticket).first()
    rows = []
    for n in range(1, cycles + 1):
        due = now - timedelta(days=360) + timedelta(hours=6 * n)
        rows.append(
            TicketTarget(
                ticket=ticket,
                organisation_id=template.organisation_id,
                tenant_id=template.tenant_id,
                kind="ongoing_update",
                cycle=n,
                priority="P3",
                clock=template.clock,
                target_seconds=3600,
                started_at=due - timedelta(hours=1),
                running_since=due - timedelta(hours=1),
                due_at=due,
                warn_at=due - timedelta(minutes=12),
                state="met",
                met_at=due - timedelta(minutes=30),
                ended_at=due - timedelta(minutes=30),
                used_seconds=1800,
            )
        )
    TicketTarget.objects.bulk_create(rows)


def _stat_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone():
            return 0
        cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'tickets_tickettarget'")
        return cursor.fetchone()[0]


def test_refreshing_gives_sqlite_statistics_and_leaves_postgresql_to_autovacuum(org_a):
    _history(org_a, 50)
    took = refresh_statistics()
    if connection.vendor == "sqlite":
        assert took is not None and took >= 0
        assert _stat_rows() > 0
    else:
        assert took is None


def test_with_statistics_sqlite_reads_a_year_one_range_per_group(org_a):
    """The compliance aggregate over twelve months on SQLite: a skip-scan of the index in the
    groups' order, without a sort. (PostgreSQL's plan depends on the table's size: at scale
    it reads a range of ``target_report_due``, which ``bench/reports.py`` prints.)"""
    if connection.vendor != "sqlite":
        pytest.skip("the skip-scan is SQLite's plan")
    _history(org_a, 1400)
    refresh_statistics()
    now = timezone.now()
    plan = compliance_rows(start=now - timedelta(days=365), end=now, now=now).explain()
    assert "target_report_groups" in plan
    assert "TEMP B-TREE" not in plan


def test_the_statistics_are_refreshed_daily(org_a):
    entry = settings.CELERY_BEAT_SCHEDULE["database-statistics"]
    assert entry["task"] == database_statistics.name == "reports.tasks.database_statistics"
    assert entry["schedule"].hour == {3}
    _history(org_a, 20)
    database_statistics.apply()
    if connection.vendor == "sqlite":
        assert _stat_rows() > 0

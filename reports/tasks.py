"""Periodic work for the reports."""

import logging

from celery import shared_task

from lib.database import refresh_statistics

logger = logging.getLogger(__name__)


@shared_task(name="reports.tasks.database_statistics", ignore_result=True)
def database_statistics() -> None:
    """Keep SQLite's planner statistics fresh (PostgreSQL's autovacuum keeps its own)."""
    took = refresh_statistics()
    if took is not None:
        logger.info("SQLite statistics refreshed in %.1f s", took)

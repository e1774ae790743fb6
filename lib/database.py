"""What the database needs beside the schema: fresh planner statistics.

PostgreSQL's autovacuum keeps its statistics. SQLite keeps none until ``ANALYZE`` runs, and
without them it cannot tell a good index from another: the reports' skip-scan over
``target_report_groups`` needs them. ``refresh_statistics`` runs after bulk loads (the seed
commands) and daily (``reports.tasks.database_statistics``).
"""

import time

from django.db import connection


def refresh_statistics() -> float | None:
    """``ANALYZE`` on SQLite; the seconds it took, or ``None`` where the database keeps its own."""
    if connection.vendor != "sqlite":
        return None
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started

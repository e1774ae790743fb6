"""Indexes for the engineer queue (tickets/queue.py).

The B-tree indexes hold the queue's urgency order (next deadline, priority, id): of open tickets
at one level, of waiting tickets (overall and at one level; their paused clocks leave no
deadline, so they sort last everywhere else) and of open service requests.

On PostgreSQL, trigram indexes serve the search on subject and reference ID (``icontains``,
i.e. ``UPPER(col::text) LIKE UPPER('%term%')``) of the queue and of the ticket list. They cover
the whole table rather than open tickets only, because the planner estimates a pattern's
matches from the statistics of a full expression index and ignores those of a partial one;
without them it walks the whole queue in order for a term that matches nothing. pg_trgm is a
trusted extension, so the database owner may create it. Other databases scan instead.
"""

from django.db import migrations, models

SEARCH_INDEXES = {
    "ticket_subject_trgm": "subject",
    "ticket_reference_trgm": "reference_id",
}


def add_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in SEARCH_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "tickets_ticket" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in SEARCH_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0002_delivery_agreed_event"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", ["new", "in_progress", "waiting"])),
                fields=["level", "next_due_at", "priority", "id"],
                name="ticket_open_level_due",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status", "waiting")),
                fields=["next_due_at", "priority", "id"],
                name="ticket_waiting_by_next_due",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status", "waiting")),
                fields=["level", "next_due_at", "priority", "id"],
                name="ticket_waiting_level_due",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(
                    ("kind", "service_request"), ("status__in", ["new", "in_progress", "waiting"])
                ),
                fields=["next_due_at", "priority", "id"],
                name="ticket_open_requests_due",
            ),
        ),
        migrations.RunPython(add_search_indexes, drop_search_indexes, elidable=False),
    ]

"""Recording published events: the one call other apps make (``tickets.publication``)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction

from .models import Event

# Called once after a transaction that recorded events commits. A consumer (the ``api`` app's
# webhook delivery) registers itself when the app registry is ready, so this app never imports
# it.
_after_commit: list[Callable[[], object]] = []


@dataclass(frozen=True)
class EventRecord:
    organisation_id: int
    type: str
    occurred_at: datetime
    ticket_id: int | None = None
    data: dict = field(default_factory=dict)


def on_events_committed(callback: Callable[[], object]) -> None:
    """Ask for ``callback()`` after each commit that recorded events (it must not raise)."""
    if callback not in _after_commit:
        _after_commit.append(callback)


def event_record(records: Iterable[EventRecord]) -> list[Event]:
    """Store ``records`` in the current transaction. Call it inside the transaction that records
    the facts they announce."""
    rows = [
        Event(
            organisation_id=r.organisation_id,
            type=r.type,
            ticket_id=r.ticket_id,
            occurred_at=r.occurred_at,
            data=r.data,
        )
        for r in records
    ]
    if not rows:
        return []
    created = Event.objects.bulk_create(rows)
    for callback in _after_commit:
        # One request per transaction, however many events it recorded.
        already = connection.in_atomic_block and any(
            queued is callback for _, queued, _ in connection.run_on_commit
        )
        if not already:
            transaction.on_commit(callback)
    return created

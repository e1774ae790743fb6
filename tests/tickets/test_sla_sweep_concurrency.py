"""Two sweeps at the same moment, in threads with their own database connections, on the real
database (committed data, real locks): every deadline is warned or breached exactly once."""

import re
import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection

from tickets import services
from tickets.models import TicketEvent, TicketTarget
from tickets.sweep import sla_sweep

from .conftest import local

SWEEPERS = 3


def _items(message) -> list[int]:
    """The tickets a (possibly grouped) SLA mail lists, by the links to them."""
    return [int(pk) for pk in re.findall(r"/tickets/(\d+)/", message.body)]


def _mailed() -> set[tuple[str, int]]:
    mailed = Counter(
        ("warning" if "warning" in m.subject else "breach", pk)
        for m in mail.outbox
        for pk in _items(m)
    )
    assert set(mailed.values()) == {1}, mailed
    return set(mailed)


def _race(now, batch_size):
    barrier = threading.Barrier(SWEEPERS)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(sla_sweep(now=now, batch_size=batch_size))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(SWEEPERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(results) == SWEEPERS
    return results


@pytest.mark.django_db(transaction=True)
def test_racing_sweeps_send_one_warning_and_one_breach_per_deadline(org_a, engineers, manager):
    for n in range(12):
        services.ticket_create(
            submitter=org_a.contact,
            tenant_id=org_a.prod.pk,
            kind="incident",
            priority="P1",
            subject=f"Warning {n}",
            description="Queue stuck.",
            now=local(2026, 11, 17, 10, 0),
        )
        services.ticket_create(
            submitter=org_a.contact,
            tenant_id=org_a.prod.pk,
            kind="incident",
            priority="P2",
            subject=f"Breach {n}",
            description="Queue stuck.",
            now=local(2026, 11, 17, 6, 0),
        )

    mail.outbox.clear()  # the acknowledgements and critical-incident pages of the filing
    # At 10:50 the P1 initial responses are at their warning point and the P2 ones (due 10:00)
    # are breached. Small batches make the sweepers interleave on the same rows.
    results = _race(local(2026, 11, 17, 10, 50), batch_size=5)

    assert sum(r.warned for r in results) == 12
    assert sum(r.breached for r in results) == 12
    events = Counter(
        (e.ticket_id, e.kind, e.data["target_id"])
        for e in TicketEvent.objects.filter(kind__in=["sla_warning", "sla_breached"])
    )
    assert len(events) == 24 and set(events.values()) == {1}
    breached = set(
        TicketTarget.objects.filter(state="breached").values_list("ticket_id", flat=True)
    )
    warned = set(
        TicketTarget.objects.filter(warned_at__isnull=False, state="pending").values_list(
            "ticket_id", flat=True
        )
    )
    assert len(breached) == len(warned) == 12
    assert _mailed() == {("warning", t) for t in warned} | {("breach", t) for t in breached}
    assert sum(len(_items(m)) for m in mail.outbox) == 24

    # And once more, all at once: nothing is left to send.
    again = _race(local(2026, 11, 17, 10, 51), batch_size=5)
    assert sum(r.warned + r.breached for r in again) == 0
    assert sum(len(_items(m)) for m in mail.outbox) == 24

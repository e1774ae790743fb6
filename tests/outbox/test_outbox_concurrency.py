"""Deliverers racing in threads with their own connections, on the real database (committed
rows, real locks): every message reaches the mail server exactly once."""

import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from outbox.delivery import outbox_deliver
from outbox.models import OutgoingMail
from outbox.services import mail_enqueue

from .helpers import message, states

DELIVERERS = 3
MESSAGES = 30


def _race(now):
    barrier = threading.Barrier(DELIVERERS)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(outbox_deliver(now=now, batch_size=4))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(DELIVERERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(results) == DELIVERERS
    return results


@pytest.mark.django_db(transaction=True)
def test_racing_deliverers_send_every_message_once(settings, smtp_server):
    settings.OUTBOX_DELIVER_ON_COMMIT = "off"
    # A little time per message keeps all deliverers busy at once, claiming side by side.
    smtp_server.behaviour.delay = 0.02
    with transaction.atomic():
        mail_enqueue([message(n) for n in range(MESSAGES)])

    results = _race(datetime.now(UTC))

    received = Counter(smtp_server.message_ids)
    assert set(received.values()) == {1}
    assert set(received) == set(OutgoingMail.objects.values_list("message_id", flat=True))
    assert sum(r.sent for r in results) == MESSAGES
    # Each deliverer did part of the work: they really raced rather than ran one after another.
    assert sum(1 for r in results if r.sent) >= 2, [r.sent for r in results]
    assert states() == {"sent": MESSAGES}

    again = _race(datetime.now(UTC))
    assert sum(r.sent for r in again) == 0
    assert len(smtp_server.message_ids) == MESSAGES

"""Notice runs at the same moment, in threads with their own database connections, on the real
database (committed data, real locks): every contact gets each notice exactly once."""

import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection

from availability import services
from availability.models import MaintenanceNotice
from availability.notices import maintenance_notices_send
from tenants.models import ContactRole
from tests.factories import ContactFactory

from .conftest import local, provision, utc

RUNNERS = 3
SATURDAY = utc(2026, 11, 14, 22, 0)


def _race(now):
    barrier = threading.Barrier(RUNNERS)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(maintenance_notices_send(now=now))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(RUNNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(results) == RUNNERS
    return results


@pytest.mark.django_db(transaction=True)
def test_racing_runs_send_each_notice_once_per_contact(org_a, org_b, manager):
    services.availability_defaults_ensure()
    provision(org_a.prod, org_b.prod)
    contacts = [org_a.admin, org_b.contact] + [
        ContactFactory(organisation=org_a.org, contact_role=ContactRole.CONTACT) for _ in range(8)
    ]
    for contact in contacts:
        services.maintenance_subscription_set(user=contact, subscribed=True)
    window = services.maintenance_window_open(
        region="europe", planned_starts_at=SATURDAY, actor=manager
    )
    services.maintenance_window_set_used(
        window=window, actor=manager, used=True, now=utc(2026, 11, 2)
    )

    results = _race(local(2026, 11, 10, 9, 0))

    assert sum(r.notices for r in results) == len(contacts)
    rows = Counter(MaintenanceNotice.objects.values_list("kind", "recipient_id"))
    assert len(rows) == len(contacts) and set(rows.values()) == {1}
    mailed = Counter(address for m in mail.outbox for address in m.to)
    assert mailed == Counter({c.email: 1 for c in contacts})

    # The start notice, raced again: once each as well.
    results = _race(SATURDAY)
    assert sum(r.notices for r in results) == len(contacts)
    assert len(mail.outbox) == 2 * len(contacts)
    assert set(Counter(MaintenanceNotice.objects.values_list("kind", "recipient_id")).values()) == {
        1
    }

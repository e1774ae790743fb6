"""Statement runs at the same moment, in threads with their own database connections, on the
real database: each organisation gets one statement for the month."""

import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection

from availability import services
from availability.models import SlaStatement
from availability.statements import sla_statements_send

from .conftest import local, provision

RUNNERS = 3


@pytest.mark.django_db(transaction=True)
def test_racing_runs_send_one_statement_per_organisation(org_a, org_b):
    services.availability_defaults_ensure()
    provision(org_a.prod, org_a.test, org_b.prod)
    barrier = threading.Barrier(RUNNERS)
    sent, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            sent.append(sla_statements_send(now=local(2027, 1, 4, 8, 10)))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(RUNNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == [] and len(sent) == RUNNERS
    assert sum(sent) == 2
    assert Counter(SlaStatement.objects.values_list("organisation__slug", flat=True)) == {
        "alpha": 1,
        "beta": 1,
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@alpha.example", "admin@beta.example"]

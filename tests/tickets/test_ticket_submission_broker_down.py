"""Filing a ticket while the broker (Redis) is down: the submission succeeds, and the next SLA
sweep still sends what falls due. Submission enqueues nothing: beat's sweep finds new targets
through their stored deadlines, so the web request never depends on the broker."""

import pytest
from django.core import mail
from kombu.exceptions import OperationalError

from portal.celery import app
from tickets.models import Ticket
from tickets.sweep import sla_sweep
from tickets.tasks import sla_sweep as sla_sweep_task

from .conftest import local
from .helpers import file_ticket

# Nothing listens on port 1: connecting is refused at once.
CLOSED_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down(settings, monkeypatch):
    saved = app.conf.broker_url
    settings.CELERY_BROKER_URL = CLOSED_BROKER
    app.conf.broker_url = CLOSED_BROKER
    # The app keeps a pool of connections (and producers) to the broker it first talked to;
    # without them it connects afresh, to the closed port. The real pools come back afterwards.
    # (``app.close()`` would also unregister the app, losing tasks imported later.)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    yield
    app.conf.broker_url = saved


def test_the_broker_really_is_unreachable(broker_down):
    with pytest.raises(OperationalError):
        sla_sweep_task.delay()


def test_a_ticket_filed_while_the_broker_is_down_is_saved_and_swept(
    broker_down, client, clock, org_a, engineers, django_capture_on_commit_callbacks
):
    clock.to(local(2026, 11, 17, 10, 0))
    client.force_login(org_a.contact)

    with django_capture_on_commit_callbacks(execute=True):
        response = file_ticket(client, org_a.prod, priority="P1")

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    assert ticket.targets.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        result = sla_sweep(now=local(2026, 11, 17, 10, 48))

    assert result.warned == 1
    warnings = [m for m in mail.outbox if "SLA warning" in m.subject]
    assert [m.to for m in warnings] == [[engineers["L1"].email]]

"""The database connection drops in the middle of a request (PostgreSQL restarted, a network
cut): the person gets the portal's error page, nothing of the half-done write is kept, and the
next request works on a new connection."""

import pytest
from django.db import connection
from django.test import Client

from outbox.models import OutgoingMail
from tickets import services
from tickets.models import Attachment, Ticket, TicketEvent, TicketTarget

from .helpers import act, file_ticket

pytestmark = pytest.mark.django_db(transaction=True)


def _drop_when(sql_fragment: str):
    """An execute wrapper that, when a statement containing ``sql_fragment`` is about to run,
    has PostgreSQL end this very connection from another one, then lets the statement fail."""
    import psycopg

    dropped = []

    def wrapper(execute, sql, params, many, context):
        if sql_fragment in sql and not dropped:
            pid = context["connection"].connection.info.backend_pid
            settings = connection.settings_dict
            with psycopg.connect(
                host=settings["HOST"] or None,
                port=settings["PORT"] or None,
                user=settings["USER"],
                password=settings["PASSWORD"] or None,
                dbname=settings["NAME"],
                autocommit=True,
            ) as other:
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
            dropped.append(sql)
        return execute(sql, params, many, context)

    return wrapper, dropped


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("ends a PostgreSQL backend; CI runs it against PostgreSQL")


def _customer_client(org):
    client = Client(raise_request_exception=False)
    client.force_login(org.contact)
    return client


def test_a_ticket_filed_while_the_connection_drops_is_not_half_saved(postgresql_only, org_a):
    client = _customer_client(org_a)
    wrapper, dropped = _drop_when('INSERT INTO "tickets_tickettarget"')
    with connection.execute_wrapper(wrapper):
        response = file_ticket(client, org_a.prod, priority="P1", subject="Lost in the drop")
    assert dropped, "the drop was never triggered"
    assert response.status_code == 500
    assert "Traceback" not in response.content.decode()
    connection.close()  # this thread's connection died with the request's
    assert not Ticket.objects.filter(subject="Lost in the drop").exists()
    assert TicketTarget.objects.count() == 0
    assert TicketEvent.objects.count() == 0
    assert OutgoingMail.objects.count() == 0

    # The next request opens a new connection and files the ticket whole.
    response = file_ticket(client, org_a.prod, priority="P1", subject="Filed again")
    assert response.status_code == 302
    ticket = Ticket.objects.get(subject="Filed again")
    assert ticket.targets.filter(kind="initial_response").exists()
    assert ticket.events.filter(kind=TicketEvent.Kind.CREATED).exists()


def test_a_reply_interrupted_by_the_drop_leaves_the_ticket_as_it_was(
    postgresql_only, org_a, engineers
):
    ticket = services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="incident",
        priority="P2",
        subject="Calls drop",
        description="Since 09:40.",
    )
    before = (ticket.version, ticket.status, ticket.events.count(), OutgoingMail.objects.count())
    client = Client(raise_request_exception=False)
    client.force_login(engineers["L1"])
    wrapper, dropped = _drop_when('UPDATE "tickets_tickettarget"')
    with connection.execute_wrapper(wrapper):
        response = act(client, ticket, "reply", body="On it")
    assert dropped and response.status_code == 500
    connection.close()
    ticket.refresh_from_db()
    after = (ticket.version, ticket.status, ticket.events.count(), OutgoingMail.objects.count())
    assert after == before
    assert not Attachment.objects.exists()
    assert ticket.targets.get(kind="initial_response").state == "pending"

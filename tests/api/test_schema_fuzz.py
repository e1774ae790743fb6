"""Schemathesis walks the OpenAPI schema the API serves and calls every operation with
generated requests (valid and invalid ones) through the WSGI application, on the test database:
no answer may be a server error, and every answer must match the schema (status, content type,
headers, body).

Each operation is called with a key that can reach its deeper paths: the queue, notes and the
ladder actions with a manager's key, everything else with a customer contact's. Path ids point,
more often than not, at real tickets and attachments of the contact's organisation, so that
validation and the services' rules are reached rather than only the 404 of a random id.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from portal.wsgi import application
from tickets import services

from ..roles import api_key_of

STAFF_OPERATIONS = ("queue", "notes", "take", "assign", "reclassify", "agree-delivery")
STAFF_OPERATIONS += ("escalate", "hand-back", "confirm-product-defect", "wait-for-customer")
STAFF_OPERATIONS += ("resume", "resolve", "close")


def _schema():
    """The schema as the API serves it (JSON), bound to the WSGI application."""
    return schemathesis.openapi.from_wsgi(
        "/api/v1/schema/", application, headers={"Accept": "application/vnd.oai.openapi+json"}
    )


schema = _schema()


@pytest.fixture
def wsgi_in_test_transaction():
    """Calls through the WSGI application stay inside the test's transaction, as Django's own
    test client arranges: at the end of a request Django would close the connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(org_a, engineers, manager, wsgi_in_test_transaction):
    tickets = [
        services.ticket_create(
            submitter=org_a.contact,
            tenant_id=org_a.prod.pk,
            kind="incident",
            priority=priority,
            subject=f"Fuzz {priority}",
            description="Made for the schema tests.",
            attachments=[SimpleUploadedFile("a.log", b"log line\n")],
        )
        for priority in ("P1", "P3")
    ]
    request = services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="service_request",
        subject="Add ten agents",
        description="Made for the schema tests.",
    )
    return {
        "tickets": [*tickets, request],
        "attachments": [t.attachments.get().pk for t in tickets],
        "customer": api_key_of(org_a.contact),
        "staff": api_key_of(manager),
    }


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_request_as_its_schema_says(case, world):
    parameters = case.path_parameters or {}
    drawn = parameters.get("ticket_id")
    # Valid ids point at real objects three times in four; invalid ones stay as drawn.
    if isinstance(drawn, int) and not isinstance(drawn, bool) and drawn % 4:
        tickets = world["tickets"]
        parameters["ticket_id"] = tickets[drawn % len(tickets)].pk
        if isinstance(parameters.get("attachment_id"), int):
            parameters["ticket_id"] = tickets[0].pk
            parameters["attachment_id"] = world["attachments"][0]
    staff = any(f"/{name}/" in case.path for name in STAFF_OPERATIONS)
    key = world["staff" if staff else "customer"]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {key}"},
        # Valid requests are refused on purpose all the time (a rule, a ticket's state, another
        # organisation's id): that is the API's job, not a schema violation.
        excluded_checks=[positive_data_acceptance],
    )

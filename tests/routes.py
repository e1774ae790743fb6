"""Every URL pattern of the portal, from Django's resolver, with the objects to put in it.

The generated tests (``test_access_expectations``, ``test_hostile_input``) walk ``all_routes()``
so that a route added later joins them by itself; they fail until the route has a declared
expectation and a builder for each of its URL arguments. Builders take the ``org_a`` namespace
of ``tests/conftest.py`` (the organisation whose objects the routes name) and return the value
to put in the URL.
"""

from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Django's admin checks its own permissions per model; the matrix covers the portal's pages.
SKIPPED_PREFIXES = ("admin/",)


@dataclass(frozen=True)
class Route:
    name: str  # full, namespaced URL name ("tenants:contact_edit")
    route: str  # full route pattern
    kwargs: tuple[str, ...]


def _kwargs_of(pattern) -> list[str]:
    # ``path()`` patterns name their converters; ``re_path()`` ones (whose ``converters`` is
    # empty) their regular expression's groups.
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    return list(pattern.regex.groupindex)


def all_routes(resolver=None, prefix="", namespace="", kwargs=()) -> list[Route]:
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        names = (*kwargs, *_kwargs_of(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += all_routes(entry, route, inner, names)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else route
            routes.append(Route(name=name, route=route, kwargs=names))
    return routes


def _once(a, attribute: str, build):
    if not hasattr(a, attribute):
        setattr(a, attribute, build())
    return getattr(a, attribute)


def _ticket(a):
    from tickets import services

    return _once(
        a,
        "ticket",
        lambda: services.ticket_create(
            submitter=a.contact,
            tenant_id=a.prod.pk,
            kind="incident",
            priority="P3",
            subject="Matrix ticket",
            description="Belongs to organisation A.",
            attachments=[SimpleUploadedFile("a.log", b"organisation A log\n")],
        ),
    )


def _checklist(a):
    from onboarding.services import onboarding_start
    from tenants.models import User

    def build():
        starter = User.objects.create_superuser(
            email="onboarding@vendor.example", full_name="Onboarding admin"
        )
        return onboarding_start(organisation=a.org, signed_on=date(2026, 11, 16), actor=starter)

    return _once(a, "checklist", build)


def _outage(b):
    from datetime import UTC, datetime

    from availability.models import Outage

    return _once(
        b,
        "outage",
        lambda: Outage.objects.create(
            tenant=b.prod,
            starts_at=datetime(2026, 11, 17, 9, 0, tzinfo=UTC),
            scope=Outage.Scope.FULL,
            cause=f"Belongs to {b.org.name}.",
        ),
    )


def _window(b):
    """A maintenance window of a region where only this organisation has a tenant (the
    fixtures' tenants are all in Frankfurt), so that the other one has no business seeing it."""
    from datetime import UTC, datetime, timedelta

    from availability.models import MaintenanceWindow
    from tenants.models import DataCentre
    from tests.factories import TenantFactory

    def build():
        TenantFactory(organisation=b.org, name=f"{b.org.slug}-us", data_centre=DataCentre.US_WEST)
        start = datetime(2026, 11, 15, 4, 0, tzinfo=UTC)
        return MaintenanceWindow.objects.create(
            region="americas",
            kind="weekly",
            planned_starts_at=start,
            planned_ends_at=start + timedelta(hours=4),
            starts_at=start,
            ends_at=start + timedelta(hours=4),
        )

    return _once(b, "window", build)


def _api_key(a):
    from api.services import api_key_create

    return _once(
        a,
        "api_key",
        lambda: api_key_create(actor=a.admin, holder_id=a.contact.pk, name="Matrix", scope="read")[
            0
        ],
    )


def _endpoint(a):
    from api.services import webhook_endpoint_create

    # A loopback address the tests allow (WEBHOOK_ALLOW_LOOPBACK); nothing is ever sent to it.
    return _once(
        a,
        "endpoint",
        lambda: webhook_endpoint_create(
            actor=a.admin,
            url="http://127.0.0.1:9/matrix",
            event_types=["ticket.created"],
        )[0],
    )


def _delivery(a):
    from django.utils import timezone

    from api.models import WebhookDelivery
    from events.models import Event

    def build():
        endpoint = _endpoint(a)
        now = timezone.now()
        event = Event.objects.create(
            organisation=a.org, type="ticket.created", occurred_at=now, dispatched_at=now
        )
        return WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=event,
            created_at=now,
            next_attempt_at=now,
            state=WebhookDelivery.State.FAILED,
        )

    return _once(a, "delivery", build)


OBJECT_BUILDERS = {
    "contact_id": lambda a: a.contact.pk,
    "ticket_id": lambda a: _ticket(a).pk,
    "attachment_id": lambda a: _ticket(a).attachments.get().pk,
    "action": lambda a: "customer_reply",
    "checklist_id": lambda a: _checklist(a).pk,
    "step_id": lambda a: _checklist(a).steps.get(code="email_configuration").pk,
    # A reset link that is not valid: the page says so.
    "tenant_id": lambda a: a.prod.pk,
    # A month of the tenant or organisation in the same URL.
    "year": lambda a: 2026,
    "month": lambda a: 11,
    "outage_id": lambda a: _outage(a).pk,
    "window_id": lambda a: _window(a).pk,
    "organisation_id": lambda a: a.org.pk,
    # A breakdown of the managers' SLA report, not an object.
    "dimension": lambda a: "organisation",
    "key_id": lambda a: _api_key(a).pk,
    "endpoint_id": lambda a: _endpoint(a).pk,
    "delivery_id": lambda a: _delivery(a).pk,
    # The API's catch-all: an address that names nothing.
    "path": lambda a: "no-such-thing/",
    "uidb64": lambda a: "MQ",
    "token": lambda a: "set-password",
}


def missing_builders(route: Route) -> list[str]:
    return [kwarg for kwarg in route.kwargs if kwarg not in OBJECT_BUILDERS]


def url_of(route: Route, a) -> str:
    return reverse(route.name, kwargs={k: OBJECT_BUILDERS[k](a) for k in route.kwargs})

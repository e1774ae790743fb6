"""A handful of demo tickets in different states, created through the services so that their
timelines and SLA targets are real."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tenants.models import Tenant, User

from . import services
from .models import Ticket


def _user(email: str) -> User:
    return User.objects.get(email=email)


@transaction.atomic
def seed_demo_tickets() -> int:
    """Create the demo tickets once; returns how many were created (0 if they exist)."""
    if Ticket.objects.filter(organisation__slug__in=["northwind", "contoso", "fabrikam"]).exists():
        return 0
    now = timezone.now()
    tenant = {
        t.name: t
        for t in Tenant.objects.filter(
            name__in=["northwind-prod", "northwind-test", "contoso-prod", "fabrikam-prod"]
        )
    }
    alice, bob, carol, erin = (
        _user(e)
        for e in (
            "alice@northwind.example",
            "bob@northwind.example",
            "carol@contoso.example",
            "erin@fabrikam.example",
        )
    )
    l1, l2, manager = (
        _user(e) for e in ("l1@support.example", "l2@support.example", "manager@support.example")
    )

    services.ticket_create(
        submitter=alice,
        tenant_id=tenant["northwind-prod"].pk,
        kind="incident",
        priority="P1",
        subject="Inbound calls do not reach agents",
        description="Since this morning no inbound call is offered to agents; callers hear silence.",
        reference_id="CALL-20261121-0042",
        impact="All 120 agents; the main hotline is down.",
        now=now - timedelta(minutes=35),
    )

    export = services.ticket_create(
        submitter=bob,
        tenant_id=tenant["northwind-test"].pk,
        kind="incident",
        priority="P3",
        subject="Report export to CSV fails",
        description="Exporting the queue report gives an empty file.",
        now=now - timedelta(days=2),
    )
    services.ticket_reply(
        ticket=export,
        author=l1,
        body="Thanks, we can reproduce this and are checking with product support.",
        now=now - timedelta(days=2) + timedelta(hours=3),
    )
    export.refresh_from_db()
    services.ticket_escalate(
        ticket=export,
        actor=l1,
        reason="Export code path; needs product specialists.",
        version=export.version,
        now=now - timedelta(days=1),
    )

    whatsapp = services.ticket_create(
        submitter=carol,
        tenant_id=tenant["contoso-prod"].pk,
        kind="incident",
        priority="P2",
        subject="WhatsApp messages delayed by minutes",
        description="Customer messages arrive 5–10 minutes late.",
        now=now - timedelta(hours=5),
    )
    services.ticket_assign(
        ticket=whatsapp,
        actor=manager,
        assignee=l1,
        version=whatsapp.version,
        now=now - timedelta(hours=4, minutes=50),
    )
    whatsapp.refresh_from_db()
    services.ticket_wait_for_customer(
        ticket=whatsapp,
        actor=l1,
        message="Could you send the conversation IDs of two delayed messages?",
        version=whatsapp.version,
        now=now - timedelta(hours=4),
    )

    services.ticket_create(
        submitter=carol,
        tenant_id=tenant["contoso-prod"].pk,
        kind="service_request",
        request_size="minor",
        subject="Add 20 agent licences",
        description="We are onboarding 20 new agents next month.",
        now=now - timedelta(hours=20),
    )

    typo = services.ticket_create(
        submitter=erin,
        tenant_id=tenant["fabrikam-prod"].pk,
        kind="incident",
        priority="P4",
        subject="Typo in the chat widget greeting",
        description="'Welcom' instead of 'Welcome'.",
        now=now - timedelta(days=6),
    )
    typo.refresh_from_db()
    services.ticket_resolve(
        ticket=typo,
        actor=l2 if typo.level == "L2" else l1,
        resolution_type="resolution",
        summary="Fixed the greeting text in the widget configuration.",
        version=typo.version,
        now=now - timedelta(days=5),
    )
    return 5

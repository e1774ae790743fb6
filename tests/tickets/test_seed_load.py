import pytest
from django.core.management import CommandError, call_command
from django.db.models import Min

from tickets.models import Ticket, TicketEvent, TicketTarget


def test_it_generates_tickets_with_targets_and_timelines(db):
    call_command("seed_load", tickets=300, tenants=12, verbosity=0, stdout=None)
    assert Ticket.objects.count() == 300
    assert Ticket.objects.values("tenant").distinct().count() == 12
    assert not Ticket.objects.filter(priority__in=["P1", "P2"], tenant__kind="test").exists()
    assert TicketEvent.objects.filter(kind="created").count() == 300
    assert TicketTarget.objects.filter(ticket__kind="incident").exists()
    # The denormalised next deadline agrees with the outstanding targets of active tickets.
    for ticket in Ticket.objects.filter(status__in=["new", "in_progress"])[:50]:
        earliest = ticket.targets.filter(
            met_at__isnull=True, state__in=["pending", "breached"]
        ).aggregate(m=Min("due_at"))["m"]
        assert ticket.next_due_at == earliest


def test_running_it_twice_reuses_the_organisations_and_tenants(db):
    call_command("seed_load", tickets=20, tenants=6, verbosity=0)
    call_command("seed_load", tickets=20, tenants=6, verbosity=0)
    assert Ticket.objects.count() == 40
    assert Ticket.objects.values("tenant").distinct().count() <= 6


def test_a_non_positive_count_is_refused(db):
    with pytest.raises(CommandError, match="must be positive"):
        call_command("seed_load", tickets=0)
    assert Ticket.objects.count() == 0

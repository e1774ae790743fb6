"""The demo data: windows, outages and subscriptions for ``make run``, created once."""

import time_machine

from availability.demo import seed_demo_availability
from availability.models import MaintenanceWindow, Outage
from tenants.demo import seed_demo
from tickets.demo import seed_demo_tickets

from .conftest import local


def test_the_demo_shows_windows_outages_and_subscriptions_once(db):
    with time_machine.travel(local(2026, 12, 1, 10, 0), tick=False):
        seed_demo()
        seed_demo_tickets()
        created = seed_demo_availability()
        assert created > 0
        assert seed_demo_availability() == 0
    assert MaintenanceWindow.objects.filter(used=True, region="europe").count() == 2
    assert Outage.objects.count() == 3
    assert Outage.objects.get(tenant__name="northwind-prod").tickets.count() == 1

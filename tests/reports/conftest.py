"""A small fixed history for October 2026 (the month DST ends: 745 hours), told through the
services with Helsinki times, and the figures it must give, worked out by hand.

| ticket | what happens | counts in October as |
|---|---|---|
| T1 P2 | filed Wed 30 Sep 22:30, answered Thu 1 Oct 01:00, resolved 05:00 | P2 IR met (due 02:30 Oct 1), P2 ORT met |
| T2 P3 | filed Thu 29 Oct 14:00, answered Mon 2 Nov 10:00 | P3 IR missed, met late (due Fri 30 Oct 14:00) |
| T3 P1 | filed Sat 31 Oct 23:30, never answered | nothing: its deadlines fall on 1 November |
| T4 P3 | answered Mon 5 Oct 11:00, waits Tue 6 10:00 → Mon 12 10:00, updated Wed 14 12:00, then silent | IR met, ORT 1 and 2 met, ORT 3 missed and open (due Mon 19 12:00) |
| T5 P3→P2 | filed Mon 19 Oct 09:00, raised to P2 Tue 20 10:00, answered 10:30, resolved 15:00 | P3 IR missed (due Tue 09:00), P2 IR met, P2 ORT met |
| T6 P3 | answered Mon 5 Oct 10:00, defect confirmed Fri 9 Oct 12:00, updated Thu 15 Oct 10:00 | IR met, ORT 1 missed (due Thu 8 10:00), ORT 1 as a defect met (due Mon 19 10:00) |
| T7 P4 test tenant | filed Tue 13 Oct 10:00, answered Wed 14 09:00, then silent | P4 IR met, P4 ORT missed and open (due Wed 21 09:00) |
| T8 P3 Beta (left on 28 Oct) | filed Mon 26 Oct 10:00, answered 11:00 | P3 IR met |
| T9 minor request | filed Mon 12 Oct 10:00, delivered Fri 16 Oct 10:00 | delivery missed (due Thu 15 10:00) |
| T10 P3 | filed Tue 27 Oct 10:00, withdrawn 11:00 | nothing: withdrawn before its deadline |
"""

from datetime import date
from types import SimpleNamespace

import pytest

from tickets import services
from tickets.models import Ticket
from tickets.sweep import sla_sweep

from ..tickets.conftest import local

REPORT_NOW = local(2026, 11, 10, 12, 0)


def _file(org, tenant, priority, when, kind="incident"):
    return services.ticket_create(
        submitter=org.contact,
        tenant_id=tenant.pk,
        kind=kind,
        priority=priority,
        request_size="minor" if kind == "service_request" else "",
        subject=f"{priority or 'Request'} filed {when:%d %b %H:%M}",
        description="Fixed history for the reports.",
        now=when,
    )


def _fresh(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def _reply(ticket, who, when):
    services.ticket_reply(ticket=_fresh(ticket), author=who, body="Update.", now=when)


def _resolve(ticket, who, when):
    services.ticket_resolve(
        ticket=_fresh(ticket),
        actor=who,
        resolution_type="resolution",
        summary="Done.",
        version=_fresh(ticket).version,
        now=when,
    )


@pytest.fixture
def october(org_a, org_b, engineers, manager):
    l1 = engineers["L1"]
    t1 = _file(org_a, org_a.prod, "P2", local(2026, 9, 30, 22, 30))
    _reply(t1, l1, local(2026, 10, 1, 1, 0))
    _resolve(t1, l1, local(2026, 10, 1, 5, 0))

    t2 = _file(org_a, org_a.prod, "P3", local(2026, 10, 29, 14, 0))
    _reply(t2, l1, local(2026, 11, 2, 10, 0))

    t3 = _file(org_a, org_a.prod, "P1", local(2026, 10, 31, 23, 30))

    t4 = _file(org_a, org_a.prod, "P3", local(2026, 10, 5, 9, 0))
    services.ticket_take(
        ticket=_fresh(t4), actor=l1, version=_fresh(t4).version, now=local(2026, 10, 5, 9, 30)
    )
    _reply(t4, l1, local(2026, 10, 5, 11, 0))
    services.ticket_wait_for_customer(
        ticket=_fresh(t4),
        actor=l1,
        message="Logs?",
        version=_fresh(t4).version,
        now=local(2026, 10, 6, 10, 0),
    )
    services.ticket_customer_reply(
        ticket=_fresh(t4), author=org_a.contact, body="Here.", now=local(2026, 10, 12, 10, 0)
    )
    _reply(t4, l1, local(2026, 10, 14, 12, 0))
    sla_sweep(now=local(2026, 10, 20, 9, 0))  # records ORT 3's breach (T7's is left unseen)

    t5 = _file(org_a, org_a.prod, "P3", local(2026, 10, 19, 9, 0))
    services.ticket_reclassify(
        ticket=_fresh(t5),
        actor=l1,
        priority="P2",
        reason="Two sites down",
        version=_fresh(t5).version,
        now=local(2026, 10, 20, 10, 0),
    )
    _reply(t5, l1, local(2026, 10, 20, 10, 30))
    _resolve(t5, l1, local(2026, 10, 20, 15, 0))

    t6 = _file(org_a, org_a.prod, "P3", local(2026, 10, 5, 9, 0))
    _reply(t6, l1, local(2026, 10, 5, 10, 0))
    for _ in range(3):
        services.ticket_escalate(
            ticket=_fresh(t6),
            actor=manager,
            reason="Up",
            version=_fresh(t6).version,
            now=local(2026, 10, 6, 9, 0),
        )
    services.ticket_confirm_defect(
        ticket=_fresh(t6),
        actor=engineers["L4"],
        reason="Bug",
        version=_fresh(t6).version,
        now=local(2026, 10, 9, 12, 0),
    )
    _reply(t6, engineers["L4"], local(2026, 10, 15, 10, 0))

    t7 = _file(org_a, org_a.test, "P4", local(2026, 10, 13, 10, 0))
    _reply(t7, l1, local(2026, 10, 14, 9, 0))

    t8 = _file(org_b, org_b.prod, "P3", local(2026, 10, 26, 10, 0))
    _reply(t8, l1, local(2026, 10, 26, 11, 0))
    org_b.org.terminated_on = date(2026, 10, 28)
    org_b.org.save(update_fields=["terminated_on"])

    t9 = _file(org_a, org_a.prod, "", local(2026, 10, 12, 10, 0), kind="service_request")
    _resolve(t9, l1, local(2026, 10, 16, 10, 0))

    t10 = _file(org_a, org_a.prod, "P3", local(2026, 10, 27, 10, 0))
    services.ticket_withdraw(
        ticket=_fresh(t10),
        actor=org_a.contact,
        reason="Fixed itself",
        version=_fresh(t10).version,
        now=local(2026, 10, 27, 11, 0),
    )
    return SimpleNamespace(
        **{f"t{n}": t for n, t in enumerate([t1, t2, t3, t4, t5, t6, t7, t8, t9, t10], 1)}
    )

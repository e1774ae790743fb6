"""Two engineers acting on one ticket at once: the second is told to reload; nothing is lost
or applied twice."""

import threading
import time

import pytest
from django.db import connection, transaction

from outbox.models import OutgoingMail
from tickets import permissions, services
from tickets.models import Ticket, TicketEvent

from .helpers import act, file_ticket


def test_a_stale_form_is_refused_with_a_reload_message(client, org_a, engineers, manager):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P3")
    ticket = Ticket.objects.get()
    seen = ticket.version
    # The manager escalates while the L1 engineer still has the page open.
    services.ticket_escalate(ticket=ticket, actor=manager, reason="Needs L2", version=seen)
    client.force_login(engineers["L1"])
    response = client.post(
        f"/tickets/{ticket.pk}/do/escalate/",
        {"escalate-version": seen, "escalate-reason": "Also escalating"},
        follow=True,
    )
    assert response.status_code == 200
    assert "changed while you were looking at it" in response.content.decode()
    assert "Reload the page and try again." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.level == "L2"
    assert ticket.events.filter(kind=TicketEvent.Kind.LEVEL_CHANGED).count() == 1


def test_a_reply_refused_because_the_ticket_left_the_level_says_it_changed(
    client, org_a, engineers, manager
):
    action = "reply"  # a note any engineer may add, at any level
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P3")
    ticket = Ticket.objects.get()
    seen = ticket.version
    client.force_login(engineers["L1"])
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'name="{action}-version" value="{seen}"' in page
    # The manager escalates while the L1 engineer is still writing.
    services.ticket_escalate(ticket=ticket, actor=manager, reason="Needs L2", version=seen)
    events = ticket.events.count()
    response = client.post(
        f"/tickets/{ticket.pk}/do/{action}/",
        {f"{action}-version": seen, f"{action}-body": "Found it."},
        follow=True,
    )
    assert response.status_code == 200
    assert "changed while you were looking at it" in response.content.decode()
    assert ticket.events.count() == events  # nothing written
    # Without the version (a form from before it was added, or a hand-made post), the bare
    # refusal stands.
    bare = client.post(f"/tickets/{ticket.pk}/do/{action}/", {f"{action}-body": "Found it."})
    assert bare.status_code == 403


def test_a_reply_whose_ticket_left_the_level_while_waiting_for_the_lock_says_it_changed(
    client, org_a, engineers, manager
):
    """The page's request read the ticket at L1; a manager's escalation committed before the
    reply got the row lock: refused under the lock as "changed", not as a bare 403."""
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P3")
    as_read = Ticket.objects.get()  # what the reply's request read before locking
    fresh = Ticket.objects.get()
    services.ticket_escalate(ticket=fresh, actor=manager, reason="Needs L2", version=fresh.version)
    events = as_read.events.count()
    with pytest.raises(services.TicketChanged):
        services.ticket_reply(ticket=as_read, author=engineers["L1"], body="Found it.")
    assert as_read.events.count() == events  # nothing written
    # Refused for what the engineer saw (nothing changed): the bare refusal stands.
    with pytest.raises(permissions.Forbidden):
        services.ticket_reply(ticket=Ticket.objects.get(), author=engineers["L1"], body="Found it.")


def test_replies_are_never_refused_for_a_stale_page(client, org_a, engineers, manager):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P3")
    ticket = Ticket.objects.get()
    services.ticket_assign(
        ticket=ticket, actor=manager, assignee=engineers["L1"], version=ticket.version
    )
    client.force_login(engineers["L1"])
    response = act(client, ticket, "reply", body="On it")
    assert response.status_code == 302
    assert ticket.events.filter(kind=TicketEvent.Kind.PUBLIC_REPLY).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_engineers_escalating_at_the_same_moment_escalate_once(org_a, engineers, manager):
    ticket = services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="incident",
        priority="P3",
        subject="Race",
        description="Both click at once",
    )
    seen = ticket.version
    barrier = threading.Barrier(2)
    outcomes = []

    def escalate(actor):
        try:
            mine = Ticket.objects.get(pk=ticket.pk)
            barrier.wait()
            services.ticket_escalate(
                ticket=mine, actor=actor, reason=f"by {actor.email}", version=seen
            )
            outcomes.append("ok")
        except services.TicketChanged:
            outcomes.append("changed")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=escalate, args=(user,)) for user in (engineers["L1"], manager)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["changed", "ok"]
    ticket.refresh_from_db()
    assert ticket.level == "L2"
    assert ticket.events.filter(kind=TicketEvent.Kind.LEVEL_CHANGED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_customer_reply_that_waited_for_a_take_mails_the_new_assignee(org_a, engineers):
    """The customer replies while an engineer's take holds the ticket's row lock. Once the take
    commits, the reply sees the new assignee whole, not its id without the person (PostgreSQL
    re-reads only the locked row after the wait, keeping the joined rows it read before)."""
    ticket = services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="incident",
        priority="P3",
        subject="Taken meanwhile",
        description="The reply waits for the take",
    )
    taking = threading.Event()
    outcome = []

    def reply() -> None:
        try:
            mine = Ticket.objects.get(pk=ticket.pk)
            taking.wait(10)
            services.ticket_customer_reply(ticket=mine, author=org_a.contact, body="More detail")
            outcome.append("ok")
        except Exception as error:  # reported below
            outcome.append(repr(error))
        finally:
            connection.close()

    thread = threading.Thread(target=reply)
    thread.start()
    with transaction.atomic():
        services.ticket_take(ticket=ticket, actor=engineers["L1"], version=ticket.version)
        taking.set()
        time.sleep(0.5)  # the reply is now waiting for the row lock
    thread.join(30)
    assert outcome == ["ok"]
    [mail] = OutgoingMail.objects.filter(subject__contains="Customer replied")
    assert mail.to == [engineers["L1"].email]


@pytest.mark.django_db(transaction=True)
def test_the_timeline_follows_commit_order_when_writes_race(org_a, engineers):
    """Eight people write on one ticket at once. Each write takes its time after it holds the
    ticket's row lock, so the timeline (in the order the writes were recorded, which is the
    order of the lock) never runs backwards. On PostgreSQL the writers really wait on the row
    lock; SQLite serialises whole write transactions."""
    ticket = services.ticket_create(
        submitter=org_a.contact,
        tenant_id=org_a.prod.pk,
        kind="incident",
        priority="P3",
        subject="Busy ticket",
        description="Everyone writes at once",
    )
    writers = 8
    rounds = 6
    barrier = threading.Barrier(writers)
    failures = []

    def write(index: int) -> None:
        try:
            barrier.wait()
            for n in range(rounds):
                mine = Ticket.objects.get(pk=ticket.pk)
                if index % 2:
                    services.ticket_customer_reply(
                        ticket=mine, author=org_a.contact, body=f"customer {index}.{n}"
                    )
                else:
                    services.ticket_add_note(
                        ticket=mine, author=engineers["L1"], body=f"engineer {index}.{n}"
                    )
        except Exception as error:  # reported below, with the thread that raised it
            failures.append(f"writer {index}: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(index,)) for index in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    times = list(
        TicketEvent.objects.filter(ticket=ticket)
        .exclude(kind=TicketEvent.Kind.CREATED)
        .order_by("pk")
        .values_list("at", flat=True)
    )
    assert len(times) == writers * rounds
    backwards = [(a, b) for a, b in zip(times, times[1:], strict=False) if b < a]
    assert backwards == []

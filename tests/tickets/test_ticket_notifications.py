from django.core import mail

from tenants.preferences import Mail
from tests.factories import UserFactory
from tickets import services
from tickets.models import Ticket
from tickets.sweep import sla_sweep

from .conftest import local
from .helpers import act, file_ticket


def test_the_customer_is_mailed_on_a_public_reply_but_not_on_a_note(
    client, org_a, engineers, django_capture_on_commit_callbacks
):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P3")
    ticket = Ticket.objects.get()
    client.force_login(engineers["L1"])
    with django_capture_on_commit_callbacks(execute=True):
        act(client, ticket, "note", body="internal")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        act(client, ticket, "reply", body="We found the cause.")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [org_a.contact.email]
    assert f"[#{ticket.pk}]" in message.subject
    assert "We found the cause." in message.body
    assert f"/tickets/{ticket.pk}/" in message.body


def test_the_assignee_is_mailed_when_the_customer_replies(
    client, org_a, engineers, manager, django_capture_on_commit_callbacks
):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P3")
    ticket = Ticket.objects.get()
    services.ticket_assign(
        ticket=ticket, actor=manager, assignee=engineers["L1"], version=ticket.version
    )
    with django_capture_on_commit_callbacks(execute=True):
        act(client, ticket, "customer_reply", body="More detail: only queue Sales.")
    assert [m.to for m in mail.outbox] == [[engineers["L1"].email]]
    assert "only queue Sales" in mail.outbox[0].body


def test_without_an_assignee_the_levels_engineers_are_mailed(
    client, org_a, engineers, django_capture_on_commit_callbacks
):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P3")
    ticket = Ticket.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        act(client, ticket, "customer_reply", body="Anyone?")
    assert [m.to for m in mail.outbox] == [[engineers["L1"].email]]


def test_nothing_is_mailed_when_the_change_is_refused(
    client, org_a, engineers, django_capture_on_commit_callbacks
):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod, priority="P3")
    ticket = Ticket.objects.get()
    client.force_login(engineers["L1"])
    with django_capture_on_commit_callbacks(execute=True):
        act(client, ticket, "reply", body="")
    assert mail.outbox == []


# --- the right people, told at once ------------------------------------------------------------


def _file(org, tenant, priority, when=None):
    return services.ticket_create(
        submitter=org.contact,
        tenant_id=tenant.pk,
        kind="incident",
        priority=priority,
        subject="Agents cannot log in",
        description="Since 09:40.",
        now=when,
    )


def _to(subject_part: str) -> list[list[str]]:
    return [sorted(m.to) for m in mail.outbox if subject_part in m.subject]


def test_the_submitter_gets_the_ticket_number_and_first_deadline_in_their_time_zone(
    org_a, django_capture_on_commit_callbacks
):
    org_a.contact.time_zone = "Australia/Sydney"
    org_a.contact.save(update_fields=["time_zone"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _file(org_a, org_a.prod, "P3", local(2026, 11, 17, 10, 0))
    (ack,) = [m for m in mail.outbox if "Received" in m.subject]
    assert ack.to == [org_a.contact.email]
    assert ack.subject == f"[#{ticket.pk}] Received: Agents cannot log in"
    # Due Wednesday 18 November 10:00 in Helsinki, 19:00 in Sydney (AEDT).
    assert "Support will answer by Wed 18 Nov 2026 19:00 AEDT at the latest." in ack.body


def test_a_p1_pages_the_on_duty_level_and_the_managers_a_p2_only_the_level(
    org_a, engineers, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        p1 = _file(org_a, org_a.prod, "P1")
    assert _to("P1 filed") == [sorted([engineers["L1"].email, manager.email])]
    assert "Filed by Alpha Contact" in [m for m in mail.outbox if "P1 filed" in m.subject][0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _file(org_a, org_a.prod, "P2")
        _file(org_a, org_a.prod, "P3")
    assert _to("P2 filed") == [[engineers["L1"].email]]
    assert _to("P3") == []
    assert p1.priority == "P1"


def test_raising_a_ticket_to_p2_pages_the_on_duty_level_and_lowering_it_does_not(
    org_a, engineers, django_capture_on_commit_callbacks
):
    ticket = _file(org_a, org_a.prod, "P3")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reclassify(
            ticket=ticket,
            actor=engineers["L1"],
            priority="P2",
            reason="Two sites down",
            version=Ticket.objects.get(pk=ticket.pk).version,
        )
    assert _to("P2 raised") == [[engineers["L1"].email]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reclassify(
            ticket=ticket,
            actor=engineers["L1"],
            priority="P4",
            reason="Worked around",
            version=Ticket.objects.get(pk=ticket.pk).version,
        )
    assert _to("raised") == []


def test_an_escalation_tells_the_new_level_and_a_hand_back_the_lower_one(
    org_a, engineers, django_capture_on_commit_callbacks
):
    ticket = _file(org_a, org_a.prod, "P3")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_escalate(
            ticket=ticket, actor=engineers["L1"], reason="Needs product support", version=1
        )
    (escalated,) = [m for m in mail.outbox if "Now at L2" in m.subject]
    assert escalated.to == [engineers["L2"].email]
    assert "escalated from L1 to L2 by Engineer L1" in escalated.body
    assert "Reason: Needs product support" in escalated.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_hand_back(
            ticket=ticket,
            actor=engineers["L2"],
            reason="Configuration, not a bug",
            version=Ticket.objects.get(pk=ticket.pk).version,
        )
    (back,) = [m for m in mail.outbox if "Now at L1" in m.subject]
    assert back.to == [engineers["L1"].email]
    assert "handed back from L2 to L1" in back.body


def test_people_get_only_the_mail_they_chose_but_p1_pages_stay_on_for_the_on_duty_level(
    org_a, engineers, django_capture_on_commit_callbacks
):
    for person in (engineers["L1"], engineers["L2"]):
        person.quiet_mail = [Mail.CRITICAL, Mail.ESCALATIONS]
        person.save(update_fields=["quiet_mail"])
    with django_capture_on_commit_callbacks(execute=True):
        _file(org_a, org_a.prod, "P2")
        p1 = _file(org_a, org_a.prod, "P1")
        services.ticket_escalate(ticket=p1, actor=engineers["L1"], reason="Platform", version=1)
    assert _to("P2 filed") == []
    assert _to("P1 filed") == [[engineers["L1"].email]]
    assert _to("Now at L2") == []


def test_a_warning_reaches_each_engineer_with_the_deadline_in_their_own_time_zone(
    org_a, engineers, groups, django_capture_on_commit_callbacks
):
    from tenants.roles import ENGINEERS_GROUP

    sydney = UserFactory(
        email="l1-sydney@support.example",
        full_name="Engineer L1 Sydney",
        support_level="L1",
        time_zone="Australia/Sydney",
    )
    sydney.groups.add(groups[ENGINEERS_GROUP])
    _file(org_a, org_a.prod, "P1", local(2026, 11, 17, 10, 0))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=local(2026, 11, 17, 10, 48))
    warnings = {tuple(m.to): m for m in mail.outbox if "SLA warning" in m.subject}
    assert set(warnings) == {(engineers["L1"].email,), (sydney.email,)}
    assert "due Tue 17 Nov 2026 11:00 EET" in warnings[(engineers["L1"].email,)].subject
    assert "due Tue 17 Nov 2026 20:00 AEDT" in warnings[(sydney.email,)].subject

"""Fields a form does not offer cannot be smuggled in: extra or hidden POST fields never change
a ticket's level, assignee, status, organisation or tenant, nor a person's organisation or role."""

from django.urls import reverse

from tenants.models import User
from tickets.models import Ticket

from .tickets.helpers import act, file_ticket


def _smuggled(org_b, engineers, prefix: str = "") -> dict:
    fields = {
        "level": "L4",
        "status": "resolved",
        "assignee": engineers["L2"].pk,
        "assignee_id": engineers["L2"].pk,
        "organisation": org_b.org.pk,
        "organisation_id": org_b.org.pk,
        "submitter": org_b.contact.pk,
        "version": 99,
        "sla_breached": "on",
        "product_defect": "on",
        "is_superuser": "on",
        "is_staff": "on",
        "support_level": "L4",
        "contact_role": "main",
        "groups": "1",
    }
    return {f"{prefix}{key}": value for key, value in fields.items()}


def test_filing_a_ticket_ignores_every_field_the_form_does_not_offer(
    client, org_a, org_b, engineers
):
    client.force_login(org_a.contact)
    response = file_ticket(client, org_a.prod, **_smuggled(org_b, engineers))
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.level, ticket.status, ticket.assignee_id) == ("L1", "new", None)
    assert (ticket.organisation_id, ticket.tenant_id) == (org_a.org.pk, org_a.prod.pk)
    assert ticket.submitter_id == org_a.contact.pk
    assert not ticket.sla_breached and not ticket.product_defect


def test_another_organisations_tenant_is_refused_and_nothing_is_saved(client, org_a, org_b):
    client.force_login(org_a.contact)
    response = file_ticket(client, org_b.prod)
    assert response.status_code == 400
    assert "tenant" in response.context["form"].errors
    assert Ticket.objects.count() == 0


def test_replies_and_actions_ignore_smuggled_fields(client, org_a, org_b, engineers):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod)
    ticket = Ticket.objects.get()
    before = Ticket.objects.values("level", "status", "assignee_id", "organisation_id", "tenant_id")

    act(client, ticket, "customer_reply", body="More detail.", **_smuggled(org_b, engineers))
    client.force_login(engineers["L1"])
    act(client, ticket, "note", body="Looking.", **_smuggled(org_b, engineers))
    # "take" assigns the engineer who takes it, whatever assignee the request names.
    act(client, ticket, "take", assignee=engineers["L3"].pk, level="L3")

    after = Ticket.objects.values("level", "status", "assignee_id", "organisation_id", "tenant_id")
    assert {k: v for k, v in after.get().items() if k != "assignee_id"} == {
        k: v for k, v in before.get().items() if k != "assignee_id"
    }
    assert after.get()["assignee_id"] == engineers["L1"].pk


def test_an_engineer_cannot_act_at_another_level_by_posting_the_form(client, org_a, engineers):
    client.force_login(org_a.contact)
    file_ticket(client, org_a.prod)
    ticket = Ticket.objects.get()
    client.force_login(engineers["L3"])
    response = act(client, ticket, "escalate", reason="Because I can?")
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.level == "L1"


def test_a_contact_edit_cannot_move_a_person_or_make_them_staff(client, org_a, org_b, engineers):
    client.force_login(org_a.admin)
    data = {
        "full_name": "Alpha Contact",
        "email": "contact@alpha.example",
        "phone": "",
        "contact_role": "contact",
        **_smuggled(org_b, engineers),
    }
    data["contact_role"] = "contact"
    response = client.post(reverse("tenants:contact_edit", args=[org_a.contact.pk]), data)
    assert response.status_code == 302
    contact = User.objects.get(pk=org_a.contact.pk)
    assert contact.organisation_id == org_a.org.pk
    assert (contact.is_superuser, contact.is_staff, contact.support_level) == (False, False, "")
    assert not contact.groups.exists()


def test_a_new_contact_lands_in_the_admins_own_organisation(client, org_a, org_b, engineers):
    client.force_login(org_a.admin)
    data = {
        "full_name": "Smuggler",
        "email": "smuggler@alpha.example",
        "contact_role": "contact",
        **{k: v for k, v in _smuggled(org_b, engineers).items() if k != "contact_role"},
    }
    response = client.post(reverse("tenants:contact_create"), data)
    assert response.status_code == 302
    created = User.objects.get(email="smuggler@alpha.example")
    assert created.organisation_id == org_a.org.pk
    assert (created.is_superuser, created.is_staff, created.support_level) == (False, False, "")
    assert created.contact_role == "contact"

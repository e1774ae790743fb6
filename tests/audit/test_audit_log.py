"""The security audit log: what is recorded, from where, and that nothing rewrites it."""

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from sla.models import Policy
from tenants import services
from tenants.demo import DEMO_PASSWORD


def test_a_sign_in_is_recorded_with_address_and_browser(org_a):
    client = Client(REMOTE_ADDR="192.0.2.44", HTTP_USER_AGENT="Mozilla/5.0 (Test) Portal")
    client.post(reverse("login"), {"username": "contact@alpha.example", "password": DEMO_PASSWORD})
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert event.actor == org_a.contact
    assert event.actor_label == "contact@alpha.example"
    assert event.ip_address == "192.0.2.44"
    assert event.user_agent == "Mozilla/5.0 (Test) Portal"


def test_a_failed_sign_in_records_the_address_tried_but_never_the_password(org_a):
    Client(REMOTE_ADDR="192.0.2.45").post(
        reverse("login"), {"username": "Contact@Alpha.example", "password": "guess-123456"}
    )
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.actor is None
    assert event.actor_label == "contact@alpha.example"
    assert event.target_id == str(org_a.contact.pk)
    assert event.ip_address == "192.0.2.45"
    assert "guess-123456" not in str(event.data)


def test_contact_changes_are_recorded_by_the_services(org_a):
    contact = services.contact_create(
        actor=org_a.admin,
        organisation_id=org_a.org.pk,
        email="new@alpha.example",
        full_name="New Person",
        contact_role="contact",
    )
    services.contact_update(
        actor=org_a.admin,
        contact=contact,
        email="new@alpha.example",
        full_name="New Person",
        contact_role="technical_admin",
    )
    services.contact_set_active(actor=org_a.admin, contact=contact, active=False)
    services.contact_set_active(actor=org_a.admin, contact=contact, active=True)
    actions = list(
        AuditEvent.objects.filter(target_id=str(contact.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.CONTACT_CREATED,
        AuditAction.CONTACT_UPDATED,
        AuditAction.ROLE_CHANGED,
        AuditAction.CONTACT_DEACTIVATED,
        AuditAction.CONTACT_REACTIVATED,
    ]
    role = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGED)
    assert role.data == {"old": "contact", "new": "technical_admin"}
    assert role.actor == org_a.admin


def test_a_refused_contact_change_records_nothing(org_a):
    with pytest.raises(ValidationError):
        services.contact_update(
            actor=org_a.admin,
            contact=org_a.admin,
            email=org_a.admin.email,
            full_name="Admin",
            contact_role="contact",
        )
    assert not AuditEvent.objects.exists()


def test_a_policy_change_in_the_admin_is_recorded(client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@vendor.example", full_name="R")
    client.force_login(admin)
    policy = Policy.objects.get(slug="standard")
    url = reverse("admin:sla_policy_change", args=[policy.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "name": "Standard (renamed)",
            "calendar": policy.calendar_id,
            "targets-TOTAL_FORMS": "0",
            "targets-INITIAL_FORMS": "0",
        }
    )
    # Post the inline formset as the page carries it.
    page = client.get(url)
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        prefix = formset.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = management.initial["TOTAL_FORMS"]
        data[f"{prefix}-INITIAL_FORMS"] = management.initial["INITIAL_FORMS"]
        for index, inline in enumerate(formset.formset.forms):
            for name, field in inline.fields.items():
                value = inline.initial.get(name, field.initial)
                if value is not None:
                    data[f"{prefix}-{index}-{name}"] = getattr(value, "pk", value)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action=AuditAction.POLICY_CHANGED)
    assert event.actor == admin
    assert "Standard (renamed)" in event.target_label


def test_a_group_change_of_a_user_in_the_admin_is_a_role_change(engineers):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        user=engineers["L1"],
        content_type=ContentType.objects.get_for_model(engineers["L2"]),
        object_id=str(engineers["L2"].pk),
        object_repr=str(engineers["L2"]),
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Groups", "Support level"]}}]',
    )
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.ROLE_CHANGED
    assert event.data["fields"] == ["Groups", "Support level"]


def test_the_log_is_append_only(org_a):
    event = audit_record(action=AuditAction.EXPORT, actor=org_a.admin)
    event.data = {"rewritten": True}
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(action=AuditAction.SIGN_IN)
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == AuditAction.EXPORT


def test_the_admin_shows_the_log_read_only(rf, django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@vendor.example", full_name="R")
    request = rf.get("/")
    request.user = admin
    model_admin = site._registry[AuditEvent]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_managers_read_the_log_and_nobody_else(client, org_a, engineers, manager):
    audit_record(action=AuditAction.EXPORT, actor=org_a.admin, target_label="queue")
    client.force_login(manager)
    response = client.get(reverse("audit:list"), {"action": "export"})
    assert response.status_code == 200
    assert "admin@alpha.example" in response.content.decode()
    for person in (engineers["L4"], org_a.admin):
        client.force_login(person)
        assert client.get(reverse("audit:list")).status_code == 403


def test_an_export_of_the_queue_is_recorded_with_its_filters(client, engineers):
    client.force_login(engineers["L1"])
    response = client.get(reverse("queue:list"), {"_export": "csv", "priority": "P1"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == engineers["L1"]
    assert event.data["query"] == {"priority": ["P1"]}

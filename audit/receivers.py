"""Auth events reach the audit log through Django's, django-axes' and the admin's signals: they
happen inside those libraries' views, where the portal has no call of its own to make."""

import json

from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import AuditAction
from .services import audit_record

USERNAME_LENGTH = 254

CALENDAR_MODELS = {"calendar", "openingwindow", "closureday", "openday"}
POLICY_MODELS = {"policy", "policytarget"}
# Field labels of the user admin whose change alters what a person may do.
ROLE_FIELDS = (
    "group",
    "permission",
    "superuser",
    "staff status",
    "support level",
    "contact role",
    "organisation",
    "active",
)


def _attempted_username(credentials: dict | None) -> str:
    username = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    return str(username).strip().lower()[:USERNAME_LENGTH]


def _account(username: str):
    if not username:
        return None
    return get_user_model().objects.filter(email__iexact=username).first()


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def _signed_in(sender, request, user, **kwargs) -> None:
    audit_record(action=AuditAction.SIGN_IN, actor=user, target=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(action=AuditAction.SIGN_OUT, actor=user, target=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    username = _attempted_username(credentials)
    account = _account(username)
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        target=account,
        target_label=username,
        request=request,
        attempted_as=username,
        known_account=account is not None,
    )


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    username = str(username or "").strip().lower()[:USERNAME_LENGTH]
    audit_record(
        action=AuditAction.LOCKED_OUT,
        target=_account(username),
        target_label=username,
        request=request,
        attempted_as=username,
    )


def _changed_fields(entry: LogEntry) -> list[str]:
    try:
        messages = json.loads(entry.change_message or "[]")
    except ValueError:
        return []
    fields: list[str] = []
    for message in messages if isinstance(messages, list) else []:
        for detail in message.values() if isinstance(message, dict) else []:
            if isinstance(detail, dict):
                fields += [str(f) for f in detail.get("fields", [])]
                if "name" in detail:
                    fields.append(str(detail["name"]))
    return fields


def _admin_action(entry: LogEntry, fields: list[str]) -> AuditAction:
    app_label, model = entry.content_type.app_label, entry.content_type.model
    if app_label == "sla" and model in CALENDAR_MODELS:
        return AuditAction.CALENDAR_CHANGED
    if app_label == "sla" and model in POLICY_MODELS:
        return AuditAction.POLICY_CHANGED
    if app_label == "auth" and model == "group":
        return AuditAction.ROLE_CHANGED
    user_model = get_user_model()._meta
    if (app_label, model) == (user_model.app_label, user_model.model_name) and (
        entry.action_flag != CHANGE
        or any(word in field.lower() for field in fields for word in ROLE_FIELDS)
    ):
        return AuditAction.ROLE_CHANGED
    return AuditAction.ADMIN_CHANGE


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_change")
def _admin_changed(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    """Every change made in the admin (policies, calendars, people, groups, customers) is logged
    there by Django; the audit log keeps its own append-only copy with the client's origin."""
    if not created or instance.content_type_id is None:
        return
    fields = _changed_fields(instance)
    verb = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}.get(
        instance.action_flag, "changed"
    )
    audit_record(
        action=_admin_action(instance, fields),
        actor=instance.user,
        target_label=f"{instance.content_type.name} “{instance.object_repr}”"[:254],
        object_type=instance.content_type.app_label + "." + instance.content_type.model,
        object_id=instance.object_id,
        change=verb,
        fields=fields,
    )

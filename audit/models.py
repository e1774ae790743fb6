"""The security audit log (OWASP ASVS chapter 16): who did what, when and from where.

Rows are only ever added. ``AuditEvent`` refuses to be changed or deleted, and its queryset
refuses bulk updates and deletes, so no code path of the portal can rewrite history; the admin
shows the log read-only.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    LOCKED_OUT = "locked_out", "Locked out after failed sign-ins"
    LOCKOUT_ENDED = "lockout_ended", "Lockout ended by a manager"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password reset requested"
    PASSWORD_RESET_REFUSED = "password_reset_refused", "Password reset refused (too many)"
    PASSWORD_RESET = "password_reset", "Password reset"
    SESSIONS_ENDED = "sessions_ended", "Sessions ended"
    SESSION_EXPIRED = "session_expired", "Session expired"
    MFA_ENROLLED = "mfa_enrolled", "Two-factor authentication set up"
    MFA_VERIFIED = "mfa_verified", "Second factor verified"
    MFA_FAILED = "mfa_failed", "Second factor refused"
    MFA_RECOVERY_CODE_USED = "mfa_recovery_code_used", "Recovery code used"
    MFA_RECOVERY_CODES_RENEWED = "mfa_recovery_codes_renewed", "Recovery codes renewed"
    MFA_REMOVED = "mfa_removed", "Two-factor authentication removed"
    MFA_RESET = "mfa_reset", "Lost authenticator reset by a manager"
    CONTACT_CREATED = "contact_created", "Contact created"
    CONTACT_UPDATED = "contact_updated", "Contact edited"
    CONTACT_DEACTIVATED = "contact_deactivated", "Contact deactivated"
    CONTACT_REACTIVATED = "contact_reactivated", "Contact reactivated"
    ROLE_CHANGED = "role_changed", "Role or permissions changed"
    POLICY_CHANGED = "policy_changed", "SLA policy changed"
    CALENDAR_CHANGED = "calendar_changed", "Business calendar changed"
    ADMIN_CHANGE = "admin_change", "Changed in the admin"
    EXPORT = "export", "Data exported"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who did it; empty for a visitor who was not signed in.",
    )
    # Kept as text as well: the log must still say who it was if the account is renamed.
    actor_label = models.CharField(max_length=254, blank=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=60, blank=True)
    target_label = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["action", "-at"], name="audit_action_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.actor_label or 'anonymous'} · {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")

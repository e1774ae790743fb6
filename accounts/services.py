"""Writes on people's sign-in security: sessions, two-factor devices, recovery codes, lockouts.
Each records itself in the audit log."""

import secrets
import time
from base64 import b32encode
from urllib.parse import quote

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp import verify_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditAction
from audit.services import audit_record

from .models import Session

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


# --- who needs what ----------------------------------------------------------------------------


def mfa_required(user) -> bool:
    """Support engineers, managers and administrators must use a second factor; customer
    contacts may."""
    return bool(user.is_superuser or user.is_staff or user.is_support_staff)


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def can_manage_security(user) -> bool:
    """Support managers (and administrators) end lockouts and reset lost authenticators."""
    return user.is_authenticated and (user.is_superuser or user.is_support_manager)


# --- sessions ------------------------------------------------------------------------------


def sessions_end(*, user, keep_session_key: str | None = None, reason: str) -> int:
    """End every session of ``user`` (but ``keep_session_key``): the next request of each is
    anonymous. Returns how many ended."""
    sessions = Session.objects.filter(user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    count, _ = sessions.delete()
    if count:
        audit_record(action=AuditAction.SESSIONS_ENDED, target=user, reason=reason, count=count)
    return count


# --- recovery codes ------------------------------------------------------------------------


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in str(code).lower() if ch.isalnum())


def recovery_code_digest(code: str) -> str:
    """What is stored of a recovery code: a keyed hash, so that a copy of the database does not
    give away codes that sign in. 16 hex characters fit django-otp's token column."""
    return salted_hmac("accounts.recovery-code", _normalise_code(code)).hexdigest()[:16]


def _new_code() -> str:
    raw = b32encode(secrets.token_bytes(10)).decode().lower()[:10]
    return f"{raw[:5]}-{raw[5:]}"


def _issue_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=recovery_code_digest(code)) for code in codes]
    )
    return codes


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    """New recovery codes for ``user`` (the old ones stop working). Shown once; only their
    hashes are kept."""
    if not has_authenticator(user):
        raise ValidationError(
            "Set up an authenticator app before recovery codes.", code="no_authenticator"
        )
    codes = _issue_recovery_codes(user)
    audit_record(action=AuditAction.MFA_RECOVERY_CODES_RENEWED, actor=user, target=user)
    return codes


# --- authenticator (TOTP) ------------------------------------------------------------------


def new_authenticator_key() -> str:
    """A fresh TOTP secret (hex, 20 bytes as RFC 6238 suggests for SHA-1), kept in the setting-up
    person's session until they prove their app has it."""
    return secrets.token_hex(20)


def authenticator_uri(*, user, key_hex: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{user.email}")
    secret = b32encode(bytes.fromhex(key_hex)).decode().rstrip("=")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits=6&period=30"


def readable_key(key_hex: str) -> str:
    """The secret as people type it into an app: base32 in groups of four."""
    secret = b32encode(bytes.fromhex(key_hex)).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def authenticator_enrol(
    *, user, key_hex: str, token: str, session_key: str | None = None
) -> tuple[TOTPDevice, list[str]]:
    """Register the authenticator app holding ``key_hex`` once it shows a matching ``token``.
    Replaces any earlier authenticator, issues new recovery codes (returned, to be shown once)
    and ends the person's other sessions, which were not signed in with this device."""
    try:
        key = bytes.fromhex(key_hex)
    except (TypeError, ValueError):
        key = b""
    if len(key) < 16:
        raise ValidationError(
            "This setup has expired; start again to get a new code.", code="setup_expired"
        )
    totp = TOTP(key)
    totp.time = time.time()  # one instant for the check and the step stored below
    code = _normalise_code(token)
    if not (code.isdigit() and totp.verify(int(code), tolerance=settings.OTP_TOTP_TOLERANCE)):
        raise ValidationError(
            {
                "token": ValidationError(
                    "That code does not match. Check the time on your phone and enter the code "
                    "the app shows now.",
                    code="wrong_code",
                )
            }
        )
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user,
        name=AUTHENTICATOR_NAME,
        confirmed=True,
        key=key_hex,
        tolerance=settings.OTP_TOTP_TOLERANCE,
        # The code just used cannot sign in again.
        last_t=totp.t(),
    )
    codes = _issue_recovery_codes(user)
    audit_record(action=AuditAction.MFA_ENROLLED, actor=user, target=user)
    sessions_end(user=user, keep_session_key=session_key, reason="two-factor set up")
    return device, codes


def second_factor_verify(*, user, token: str):
    """The device that accepts ``token`` (a code from the app, or an unused recovery code),
    else None. Wrong codes slow further tries down (django-otp's throttling) and are audited."""
    code = _normalise_code(token)
    device = None
    if code.isdigit() and len(code) in (6, 8):
        for candidate in TOTPDevice.objects.filter(user=user, confirmed=True):
            device = verify_token(user, candidate.persistent_id, code)
            if device:
                break
    elif code:
        for candidate in StaticDevice.objects.filter(user=user, confirmed=True):
            device = verify_token(user, candidate.persistent_id, recovery_code_digest(code))
            if device:
                break
    if device is None:
        audit_record(action=AuditAction.MFA_FAILED, actor=user, target=user)
    elif isinstance(device, StaticDevice):
        left = device.token_set.count()
        audit_record(
            action=AuditAction.MFA_RECOVERY_CODE_USED, actor=user, target=user, codes_left=left
        )
    else:
        audit_record(action=AuditAction.MFA_VERIFIED, actor=user, target=user)
    return device


def throttled_until(user):
    """When the next code may be tried after a run of wrong ones, or None."""
    latest = None
    for device in [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]:
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            latest = max(latest or data["locked_until"], data["locked_until"])
    return latest


@transaction.atomic
def second_factor_remove(*, user, token: str, session_key: str | None = None) -> None:
    """A customer contact turns their optional second factor off, confirming with a code."""
    if mfa_required(user):
        raise PermissionDenied("Support staff and administrators must keep two-factor sign-in.")
    if second_factor_verify(user=user, token=token) is None:
        raise ValidationError(
            {"token": ValidationError("That code does not match.", code="wrong_code")}
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(action=AuditAction.MFA_REMOVED, actor=user, target=user)
    sessions_end(user=user, keep_session_key=session_key, reason="two-factor removed")


@transaction.atomic
def second_factor_reset(*, actor, user) -> None:
    """A manager resets the lost authenticator of ``user``: their devices and recovery codes are
    removed and their sessions end; staff set up a new one at their next sign-in."""
    if not can_manage_security(actor):
        raise PermissionDenied("Only support managers can reset an authenticator.")
    if user.pk == actor.pk:
        raise ValidationError(
            "You cannot reset your own authenticator; ask another manager.", code="own_device"
        )
    if user.is_superuser and not actor.is_superuser:
        raise PermissionDenied("Only an administrator can reset an administrator's authenticator.")
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    StaticDevice.objects.filter(user=user).delete()
    if not removed:
        raise ValidationError(f"{user} has no authenticator to reset.", code="no_authenticator")
    audit_record(action=AuditAction.MFA_RESET, actor=actor, target=user)
    sessions_end(user=user, reason="authenticator reset by a manager")


# --- lockouts ------------------------------------------------------------------------------


def current_lockouts(*, now=None) -> list[dict]:
    """Accounts locked out now by repeated failed sign-ins: username, failures, since, until."""
    now = now or timezone.now()
    cool_off = settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=now - cool_off,
    ).order_by("-attempt_time")
    lockouts: dict[str, dict] = {}
    for attempt in attempts:
        entry = lockouts.setdefault(
            attempt.username,
            {
                "username": attempt.username,
                "failures": 0,
                "last_attempt": attempt.attempt_time,
                "until": attempt.attempt_time + cool_off,
            },
        )
        entry["failures"] += attempt.failures_since_start
    return list(lockouts.values())


@transaction.atomic
def lockout_end(*, actor, username: str) -> int:
    """A manager ends the lockout of ``username`` before its time is up."""
    if not can_manage_security(actor):
        raise PermissionDenied("Only support managers can end a lockout.")
    username = username.strip().lower()
    if username not in {entry["username"] for entry in current_lockouts()}:
        raise ValidationError(f"{username} is not locked out.", code="not_locked_out")
    count = axes_reset(username=username)
    audit_record(action=AuditAction.LOCKOUT_ENDED, actor=actor, target_label=username)
    return count

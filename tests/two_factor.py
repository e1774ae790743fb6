"""Second-factor helpers for tests: an enrolled authenticator and the codes it would show."""

import secrets
import time

from django.contrib.auth import SESSION_KEY
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import mfa_required


def enrol_authenticator(user) -> TOTPDevice:
    """The person's confirmed authenticator, set up now if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=True, key=secrets.token_hex(20)
        )
    return device


def totp_code(device_or_key, *, at: float | None = None, after_t: int = -1) -> str:
    """The code an authenticator app shows at ``at`` (default now) for a device or a hex key.
    For a device, a time step after the last one it accepted: a code is accepted only once, and
    a test may sign the same person in twice within 30 seconds (the device allows one step of
    drift either way)."""
    if isinstance(device_or_key, TOTPDevice):
        device_or_key.refresh_from_db()
        key, after_t = device_or_key.bin_key, max(after_t, device_or_key.last_t)
    else:
        key = bytes.fromhex(device_or_key)
    totp = TOTP(key)
    totp.time = time.time() if at is None else at
    if totp.t() <= after_t:
        totp.drift = after_t + 1 - totp.t()
    return f"{totp.token():06d}"


def verify_second_factor(client, user) -> None:
    """Mark ``client``'s session as signed in with ``user``'s authenticator (enrolled if need
    be), as the two-factor page does after a correct code."""
    session = client.session
    assert str(session.get(SESSION_KEY)) == str(user.pk), "sign in before the second factor"
    session[DEVICE_ID_SESSION_KEY] = enrol_authenticator(user).persistent_id
    session.save()


def needs_second_factor(user) -> bool:
    return mfa_required(user) or TOTPDevice.objects.filter(user=user, confirmed=True).exists()

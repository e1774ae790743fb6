"""Session lifetime and the second factor, checked on every request.

- **Idle timeout**: ``SESSION_COOKIE_AGE`` (``SESSION_IDLE_TIMEOUT_SECONDS``). The session is
  saved again at most once a minute while in use, which pushes its expiry on; a session left
  alone that long is expired by the session store itself.
- **Absolute lifetime**: ``SESSION_ABSOLUTE_LIFETIME_SECONDS`` after signing in, however busy,
  the session ends and the person signs in again.
- **Two-factor**: someone signed in with a password only is sent to enter a code (when they
  have an authenticator) or to set one up (support staff and administrators, who must);
  nothing else is served to them until then.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from audit.models import AuditAction
from audit.services import audit_record

SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"
MFA_OPTIONAL = "_mfa_optional"
TOUCH_EVERY_SECONDS = 60


def stamp_sign_in(request, user) -> None:
    """Note when ``user`` signed in, and whether a second factor is optional for them (a
    customer contact without an authenticator): decided once per session, not per request.
    Setting one up elsewhere ends this session (``authenticator_enrol``)."""
    from .services import has_authenticator, mfa_required

    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now
    request.session[MFA_OPTIONAL] = not mfa_required(user) and not has_authenticator(user)


def _open_paths() -> tuple[str, ...]:
    """Paths served to a person who has not given their second factor yet."""
    return (
        reverse("accounts:mfa_verify"),
        reverse("accounts:mfa_setup"),
        reverse("login"),
        reverse("logout"),
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL,
    )


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            response = self._check(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request, user):
        session = request.session
        now = int(time.time())
        signed_in_at = session.get(SIGNED_IN_AT)
        if signed_in_at is None:
            stamp_sign_in(request, user)
        elif now - int(signed_in_at) > settings.SESSION_ABSOLUTE_LIFETIME_SECONDS:
            audit_record(action=AuditAction.SESSION_EXPIRED, actor=user, target=user)
            logout(request)
            messages.info(request, "Your session has ended; please sign in again.")
            return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        elif now - int(session.get(SEEN_AT, 0)) >= TOUCH_EVERY_SECONDS:
            session[SEEN_AT] = now
        if user.is_verified() or session.get(MFA_OPTIONAL):
            return None
        return self._second_factor(request, user)

    def _second_factor(self, request, user):
        from .services import has_authenticator, mfa_required

        if request.path.startswith(_open_paths()):
            return None
        query = urlencode({"next": request.get_full_path()})
        if has_authenticator(user):
            return redirect(f"{reverse('accounts:mfa_verify')}?{query}")
        if mfa_required(user):
            return redirect(f"{reverse('accounts:mfa_setup')}?{query}")
        request.session[MFA_OPTIONAL] = True
        return None

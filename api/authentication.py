"""API keys in ``Authorization: Bearer <key>``: no session, no CSRF token, no second factor.

A key works while it is not revoked and its person is active and still what the key was made
for (a contact of the key's organisation, or support staff for a staff key). Wrong keys count
against the client address (``API_FAILED_AUTH_PER_MINUTE``), so keys cannot be guessed fast.
"""

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from events.context import acting_via
from lib.client import client_address

from . import keys, services
from .models import ApiKey
from .throttling import FixedWindow

INVALID = "The API key is not valid: it is unknown, revoked, or its person was deactivated."


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        failures = FixedWindow("api-auth-failed", _client(request), 60)
        if failures.count() >= settings.API_FAILED_AUTH_PER_MINUTE:
            raise exceptions.Throttled(wait=failures.remaining())
        if header[0].lower() != self.keyword.lower().encode() or len(header) != 2:
            failures.hit()
            raise exceptions.AuthenticationFailed(
                "Send the key as “Authorization: Bearer <key>”.", code="invalid_key"
            )
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            token = ""
        key = _key_for(token)
        if key is None:
            failures.hit()
            raise exceptions.AuthenticationFailed(INVALID, code="invalid_key")
        services.api_key_touch(key=key, now=timezone.now())
        return key.user, key

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


def _key_for(token: str) -> ApiKey | None:
    prefix = keys.prefix_of(token)
    if prefix is None:
        return None
    key = (
        ApiKey.objects.select_related("user__organisation", "organisation")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if key is None or not keys.matches(token, key.secret_hash):
        return None
    user = key.user
    if not user.is_active or user.organisation_id != key.organisation_id:
        return None
    if key.organisation_id is None and not user.is_support_staff:
        return None
    return key


def _client(request) -> str:
    return client_address(request) or "unknown"


def via(key: ApiKey):
    """For the length of a call: timeline events name the key they came through."""
    return acting_via(key.label)

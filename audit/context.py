"""Where a request came from, for audit rows written deeper down (services, signal receivers)
that are not handed the request."""

from contextvars import ContextVar
from dataclasses import dataclass

from lib.client import client_address

USER_AGENT_LENGTH = 300


@dataclass(frozen=True)
class Origin:
    ip_address: str | None
    user_agent: str
    user: object | None = None


_origin: ContextVar[Origin | None] = ContextVar("audit_origin", default=None)


def origin_of(request) -> Origin:
    """The client address (``lib.client``: behind ``TRUSTED_PROXIES`` proxies, the one the
    nearest saw) and user agent of ``request``."""
    meta = getattr(request, "META", {})
    address = client_address(request)
    agent = str(meta.get("HTTP_USER_AGENT", ""))[:USER_AGENT_LENGTH]
    return Origin(ip_address=address, user_agent=agent, user=getattr(request, "user", None))


def current_origin() -> Origin | None:
    return _origin.get()


class AuditContextMiddleware:
    """Makes the request's origin available to ``audit.services.audit_record`` for the length of
    the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _origin.set(origin_of(request))
        try:
            return self.get_response(request)
        finally:
            _origin.reset(token)

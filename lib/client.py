"""The address a request came from: the one answer the audit log, the password-reset limits and
the API's limits share.

Directly on the internet, that is the connection's address (``REMOTE_ADDR``). Behind load
balancers or proxies, the connection comes from the nearest of them, and each appends the address
it was connected from to ``X-Forwarded-For``. ``TRUSTED_PROXIES`` says how many such hops stand
in front of the portal; the client is then the entry that many places from the end. Entries
further left were written by whoever sent the request and prove nothing, so they are never read:
a client cannot choose its own address by sending the header.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, or ``None`` when there is none to trust (a proxy was expected
    but the header is missing, too short, or not an address)."""
    meta = getattr(request, "META", {})
    hops = settings.TRUSTED_PROXIES
    if not hops:
        return _address(meta.get("REMOTE_ADDR"))
    forwarded = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return None
    return _address(forwarded[-hops])


def _address(value: object) -> str | None:
    try:
        return str(ipaddress.ip_address(str(value or "").strip()))
    except ValueError:
        return None

"""Where webhooks may go, and the one way a delivery connects there.

A webhook makes the portal's servers call an address a customer chose, so the address must not
reach the portal's own network (server-side request forgery):

- only ``https://`` (``WEBHOOK_ALLOW_LOOPBACK`` also allows ``http://`` and loopback hosts, for
  a local test receiver; tests and development set it, production never does);
- never a host that is, or resolves to, a loopback, private, link-local (cloud metadata),
  multicast, reserved or unspecified address;
- checked when the endpoint is registered and again on every delivery, against the very
  address the connection then uses (a name that resolved to a public address at registration
  may point inside later), and redirects are never followed.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

BLOCKED_NAMES = ("localhost", "localhost.localdomain")
BLOCKED_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")


class UnsafeTarget(Exception):
    """The address may not be called."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def _allow_loopback() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_LOOPBACK", False))


def _address_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return _allow_loopback()
    return address.is_global and not address.is_multicast


def parse(url: str) -> Target:
    """The parts of ``url``, or ``ValidationError`` (code ``webhook_url``) saying what is wrong.
    Names that do not resolve yet are accepted here; the delivery checks them again."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError("Enter a valid URL.", code="webhook_url") from None
    host = (parts.hostname or "").rstrip(".").lower()
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and _allow_loopback()):
        raise ValidationError(
            "Webhooks are sent over HTTPS only: the address must start with https://.",
            code="webhook_url",
        )
    if not host:
        raise ValidationError("Enter a valid URL.", code="webhook_url")
    if parts.username or parts.password:
        raise ValidationError(
            "Leave user names and passwords out of the address; check the signature instead.",
            code="webhook_url",
        )
    target = Target(
        scheme=scheme,
        host=host,
        port=port or (443 if scheme == "https" else 80),
        path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
    )
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if address is not None:
        if not _address_allowed(address):
            raise ValidationError(_internal_message(host), code="webhook_url")
    elif not _allow_loopback() and (host in BLOCKED_NAMES or host.endswith(BLOCKED_SUFFIXES)):
        raise ValidationError(_internal_message(host), code="webhook_url")
    if scheme == "http" and not _is_loopback_host(host):
        raise ValidationError(
            "Webhooks are sent over HTTPS only: the address must start with https://.",
            code="webhook_url",
        )
    return target


def _is_loopback_host(host: str) -> bool:
    if host in BLOCKED_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _internal_message(host: str) -> str:
    return (
        f"{host} is a local or private network address; webhooks go to public HTTPS addresses only."
    )


def validate_registration(url: str) -> str:
    """Check ``url`` for registration: its form, and every address its name resolves to now."""
    target = parse(url)
    try:
        addresses = _resolve(target)
    except UnsafeTarget as exc:
        raise ValidationError(str(exc), code="webhook_url") from None
    except OSError:
        addresses = []  # not resolvable yet; each delivery resolves and checks again
    for address in addresses:
        if not _address_allowed(address):
            raise ValidationError(_internal_message(target.host), code="webhook_url")
    return url


def _resolve(target: Target) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    infos = socket.getaddrinfo(target.host.strip("[]"), target.port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def safe_address(target: Target) -> str:
    """A resolved address of ``target`` that may be called, or ``UnsafeTarget``."""
    addresses = _resolve(target)
    if not addresses:
        raise UnsafeTarget(f"{target.host} has no address.")
    for address in addresses:
        if not _address_allowed(address):
            raise UnsafeTarget(_internal_message(target.host))
    return str(addresses[0])


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the certificate checked for the host name."""

    def __init__(self, host: str, address: str, **kwargs) -> None:
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, **kwargs) -> None:
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Answer:
    """POST ``body`` to ``url`` once, without following redirects. Raises ``UnsafeTarget`` for a
    forbidden address and ``OSError`` (or ``http.client.HTTPException``) for network failures."""
    try:
        target = parse(url)
    except ValidationError as exc:
        raise UnsafeTarget(" ".join(exc.messages)) from None
    address = safe_address(target)
    if target.scheme == "https":
        connection: http.client.HTTPConnection = _PinnedHTTPSConnection(
            target.host,
            address,
            port=target.port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        connection = _PinnedHTTPConnection(target.host, address, port=target.port, timeout=timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        # Only the start of the answer is kept, for the delivery list.
        text = response.read(2048).decode("utf-8", "replace")
        return Answer(status=response.status, body=text)
    finally:
        connection.close()

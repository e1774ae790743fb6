"""A real SMTP server on 127.0.0.1 (aiosmtpd) that can be slow, refuse, or drop the connection,
and settings that point the portal's mail backend at it."""

import asyncio
import email
import socket
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache


@dataclass
class Received:
    message_id: str
    subject: str
    to: list[str]
    body: str


@dataclass
class SmtpBehaviour:
    """What the server does with the next messages: take ``delay`` seconds to answer DATA,
    then accept, refuse with ``reply`` (e.g. "451 …" or "550 …"), or drop the connection."""

    delay: float = 0.0
    reply: str = "250 Message accepted for delivery"
    drop: bool = False


@dataclass
class SmtpServer:
    host: str
    port: int
    behaviour: SmtpBehaviour = field(default_factory=SmtpBehaviour)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def message_ids(self) -> list[str]:
        with self.lock:
            return [r.message_id for r in self.received]


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):
        behaviour = self.server.behaviour
        if behaviour.delay:
            await asyncio.sleep(behaviour.delay)
        if behaviour.drop:
            smtp.transport.close()
            return "421 closing"
        if behaviour.reply.startswith("250"):
            parsed = email.message_from_bytes(envelope.content)
            with self.server.lock:
                self.server.received.append(
                    Received(
                        message_id=parsed["Message-ID"],
                        subject=parsed["Subject"],
                        to=list(envelope.rcpt_tos),
                        body=parsed.get_payload(decode=True).decode(),
                    )
                )
        return behaviour.reply


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server; the portal's mail goes to it for this test."""
    server = SmtpServer(host="127.0.0.1", port=_free_port())
    controller = Controller(_Handler(server), hostname=server.host, port=server.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.OUTBOX_SEND_TIMEOUT_SECONDS = 5
    yield server
    controller.stop()


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()

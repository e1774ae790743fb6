"""Building blocks for benchmarks and fault scripts that run the portal as real processes on
this machine: gunicorn nodes, Celery workers and beat against one PostgreSQL and one Redis, a
local SMTP server that records (and can slow down) the mail, and an HTTP client with real
sessions and CSRF tokens.

Everything listens on 127.0.0.1 only. A script owns what it starts: its own PostgreSQL database,
its own Redis database number and Celery queue (or its own redis-server on a spare port), its
own folder under ``var/bench/``. ``Processes.stop_all()`` ends exactly the processes it started.

Import it from a script in ``bench/`` with the project root first on ``sys.path`` (not
``bench/`` itself, where ``queue.py`` would shadow the standard library's module)::

    from bench.cluster import Cluster, MailSink, PortalClient

``bench/two_nodes.py`` shows the whole set-up.
"""

import asyncio
import contextlib
import email
import hashlib
import hmac
import http.client
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PYTHON = sys.executable
BENCH_DIR = ROOT / "var" / "bench"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DEMO_PASSWORD = "portal-demo-2026"
TWO_FACTOR_PATH = "/accounts/two-factor/"
STARTING_ENVIRONMENT = dict(os.environ)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3):
            return True
    except OSError:
        return False


def wait_until(predicate, timeout: float, interval: float = 0.25, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"{what} not reached within {timeout:.0f} s")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- PostgreSQL ------------------------------------------------------------------------------


def pg_url(database: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"


def recreate_pg_database(database: str) -> str:
    """Drop and create ``database``; returns its URL. Only ever pass a name of your own."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    return pg_url(database)


# --- processes -------------------------------------------------------------------------------


@dataclass
class Processes:
    """Processes this script started, each in its own process group, logging to a file."""

    log_dir: Path
    running: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        output = open(self.log_dir / f"{name}.log", "a")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running[name] = process
        return process

    def log_text(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text() if path.exists() else ""

    def signal(self, name: str, sig: int) -> None:
        """Send ``sig`` to the whole group of ``name`` (a Celery worker's pool children too)."""
        process = self.running[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)

    def kill(self, name: str) -> None:
        """SIGKILL, as a machine or container dying would: no clean-up runs."""
        self.signal(name, signal.SIGKILL)
        self.running.pop(name).wait(timeout=30)

    def stop(self, name: str, timeout: float = 30) -> None:
        process = self.running.pop(name, None)
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                return
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


class RedisServer:
    """A redis-server of this script's own on a spare port (never the shared one on 6379)."""

    def __init__(self, processes: Processes, port: int, name: str = "redis"):
        if port == 6379:
            raise ValueError("6379 is the shared Redis: use a port of your own")
        self.processes, self.port, self.name = processes, port, name

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if port_open(self.port):
            raise RuntimeError(f"port {self.port} is taken")
        argv = [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1"]
        argv += ["--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.processes.start(self.name, argv, dict(os.environ))
        wait_until(lambda: port_open(self.port), 10, what=f"redis on {self.port}")

    def stop(self) -> None:
        self.processes.stop(self.name)


# --- mail ------------------------------------------------------------------------------------


@dataclass
class ReceivedMail:
    message_id: str
    subject: str
    to: list[str]
    body: str
    at: float


class MailSink:
    """An SMTP server on 127.0.0.1 that records every message it accepts. ``delay`` seconds
    pass between the end of a message's data and the server's answer, as with a slow relay.

    By default a message counts as received as soon as its data is complete, before the delay:
    the worst case for the sender, since a client that dies while waiting for the answer never
    learns that the message was taken (a real relay may well have queued it by then). With
    ``record_after_delay`` it counts only if the client is still connected when the answer
    goes out (aiosmtpd cancels the handler of a client that went away)."""

    def __init__(
        self, delay: float = 0.0, port: int | None = None, record_after_delay: bool = False
    ):
        import logging

        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command

        self.delay = delay
        self.record_after_delay = record_after_delay
        self.port = port or free_port()
        self.received: list[ReceivedMail] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        if self.delay and self.record_after_delay:
            await asyncio.sleep(self.delay)
        self._record(envelope)
        if self.delay and not self.record_after_delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def _record(self, envelope) -> None:
        parsed = email.message_from_bytes(envelope.content)
        payload = parsed.get_payload(decode=True)
        with self._lock:
            self.received.append(
                ReceivedMail(
                    message_id=parsed["Message-ID"],
                    subject=str(parsed["Subject"]),
                    to=list(envelope.rcpt_tos),
                    body=payload.decode() if isinstance(payload, bytes) else str(payload),
                    at=time.monotonic(),
                )
            )

    def start(self) -> "MailSink":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def email_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def snapshot(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self.received)

    def message_id_counts(self) -> Counter:
        return Counter(m.message_id for m in self.snapshot())


# --- the portal ------------------------------------------------------------------------------


@dataclass
class Cluster:
    """The portal's processes against one database and one broker.

    ``env`` is what every process gets: production settings (``DEBUG=0``) but plain HTTP, the
    database, the broker and queue, and the mail sink. Add settings with ``extra``.
    """

    name: str
    database_url: str
    broker_url: str
    queue: str
    email_url: str
    extra: dict[str, str] = field(default_factory=dict)
    processes: Processes = field(init=False)
    run_dir: Path = field(init=False)
    web_ports: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.run_dir = BENCH_DIR / self.name
        shutil.rmtree(self.run_dir, ignore_errors=True)
        (self.run_dir / "var").mkdir(parents=True)
        self.processes = Processes(self.run_dir / "logs")

    @property
    def env(self) -> dict[str, str]:
        # From the environment this script started with: ``setup_django`` copies a cluster's
        # settings into ``os.environ``, and one scenario's (``OUTBOX_QUEUE``, say) must not
        # reach the next cluster's processes.
        env = {
            k: v
            for k, v in STARTING_ENVIRONMENT.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "CELERY_QUEUE", "OUTBOX_QUEUE")
        }
        env.update(
            DJANGO_SETTINGS_MODULE="portal.settings",
            DEBUG="0",
            SECRET_KEY="bench-only-secret-key-" + "x" * 40,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            SECURE_HSTS_SECONDS="0",
            PORTAL_VAR_DIR=str(self.run_dir / "var"),
            DATABASE_URL=self.database_url,
            REDIS_URL=self.broker_url,
            CELERY_QUEUE=self.queue,
            EMAIL_URL=self.email_url,
            LOG_LEVEL="INFO",
        )
        env.update(self.extra)
        return env

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [PYTHON, str(ROOT / "manage.py"), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def prepare(self, *, seed_demo: bool = True) -> None:
        """Migrate, load the demo data and collect static files, as a deployment would."""
        self.manage("migrate", "--noinput", "--verbosity", "0")
        if seed_demo:
            self.manage("seed_demo")
        self.manage("shell", "--no-imports", "-c", ENROL_AUTHENTICATORS)
        self.manage("collectstatic", "--noinput", "--verbosity", "0")

    def setup_django(self) -> None:
        """Let this script read the cluster's database through the portal's models."""
        os.environ.update(self.env)
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django

        django.setup()

    # Each process's command line, as the Procfile and the compose file run them.

    def start_web(self, name: str, port: int, *gunicorn_args: str) -> None:
        argv = [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py")]
        argv += ["--bind", f"127.0.0.1:{port}", *gunicorn_args, "portal.wsgi"]
        process = self.processes.start(name, argv, self.env)
        wait_until(
            lambda: process.poll() is not None or port_open(port), 30, what=f"{name} listening"
        )
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited:\n{self.processes.log_text(name)}")
        self.web_ports.append(port)

    def start_worker(self, name: str, concurrency: int = 2, queue: str | None = None) -> None:
        argv = [str(BIN / "celery"), "-A", "portal", "worker", "--loglevel", "INFO"]
        argv += ["--concurrency", str(concurrency), "--without-gossip", "--without-mingle"]
        argv += ["-Q", queue or self.queue, "--hostname", f"{name}@%h"]
        self.processes.start(name, argv, self.env)
        wait_until(lambda: " ready." in self.processes.log_text(name), 60, what=f"{name} ready")

    def start_beat(self, name: str = "beat") -> None:
        argv = [str(BIN / "celery"), "-A", "portal", "beat", "--loglevel", "INFO"]
        argv += ["--schedule", str(self.run_dir / "var" / "celerybeat-schedule")]
        self.processes.start(name, argv, self.env)

    def stop(self) -> None:
        self.processes.stop_all()


def bench_totp_key(email_address: str) -> str:
    """The authenticator secret the benchmarks give a staff account (hex): derived from the
    address, so that any bench process can compute its codes. Bench databases only."""
    return hashlib.sha1(f"bench-authenticator:{email_address.lower()}".encode()).hexdigest()


_last_step: dict[str, int] = {}
_step_lock = threading.Lock()


def totp_code(key_hex: str) -> str:
    """RFC 6238 (HMAC-SHA1, 30 s, 6 digits), as authenticator apps compute it. A code is accepted
    once, so each call for a key takes the next unused time step (the portal accepts one step of
    drift either way)."""
    with _step_lock:
        step = max(int(time.time()) // 30, _last_step.get(key_hex, -1) + 1)
        _last_step[key_hex] = step
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


ENROL_AUTHENTICATORS = """
from django_otp.plugins.otp_totp.models import TOTPDevice
from tenants.models import User
import hashlib
staff = User.objects.filter(organisation__isnull=True, is_active=True)
for user in staff:
    key = hashlib.sha1(f"bench-authenticator:{user.email.lower()}".encode()).hexdigest()
    TOTPDevice.objects.update_or_create(
        user=user, name="Bench authenticator", defaults={"key": key, "confirmed": True}
    )
print(staff.count())
"""


class PortalClient:
    """One person's browser: a keep-alive connection to one node, cookies, CSRF tokens."""

    # Below gunicorn's keep-alive timeout (2 s by default): an older connection is replaced.
    IDLE_SECONDS = 1.5

    def __init__(self, port: int, timeout: float = 30):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._connect()

    def _connect(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        self.last_used = time.monotonic()

    def request(
        self, method: str, path: str, fields: dict | list | None = None
    ) -> tuple[int, str, str]:
        """(status, Location header, body). A connection the server closed is opened again."""
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if time.monotonic() - self.last_used > self.IDLE_SECONDS:
            # The server may have closed it (keep-alive timeout): a write sent on a closed
            # connection could not be retried without risking a double.
            self.conn.close()
            self._connect()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # Reads only: a write is never sent twice, so that a double in the database
                # can only come from the server.
                self.conn.close()
                self._connect()
                if attempt == 2 or method != "GET":
                    raise
        text = response.read().decode(errors="replace")
        self.last_used = time.monotonic()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.headers.get("Connection", "").lower() == "close":
            self.conn.close()
            self._connect()
        return response.status, response.headers.get("Location") or "", text

    def get(self, path: str) -> tuple[int, str, str]:
        return self.request("GET", path)

    def post(self, path: str, fields: dict) -> tuple[int, str, str]:
        """POST a form with the CSRF token of the session (Django accepts the cookie's secret)."""
        if "csrftoken" not in self.cookies:
            self.get("/accounts/login/")
        return self.request(
            "POST", path, {**fields, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        )

    def sign_in(self, email_address: str, password: str = DEMO_PASSWORD) -> None:
        """Sign in through the login form; staff then give the code of the authenticator the
        bench enrolled for them (``ENROL_AUTHENTICATORS``)."""
        status, _, page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise RuntimeError(f"login page answered {status}")
        status, location, _ = self.request(
            "POST",
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": email_address,
                "password": password,
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in of {email_address} failed with {status}")
        if TWO_FACTOR_PATH not in location:
            # The login form sends people on to the page they asked for; one who owes a
            # second factor is sent from there to give it.
            _, location, _ = self.get(location.removeprefix(f"http://127.0.0.1:{self.port}"))
        if TWO_FACTOR_PATH in location:
            status, location, _ = self.post(
                TWO_FACTOR_PATH, {"token": totp_code(bench_totp_key(email_address))}
            )
            if status != 302 or TWO_FACTOR_PATH in location:
                raise RuntimeError(f"second factor of {email_address} refused ({status})")

    def close(self) -> None:
        self.conn.close()

"""``/healthz``: whether this node and the services it needs work, for load balancers, the
container's HEALTHCHECK and monitoring.

It is answered by a middleware at the top of the stack, before anything that could refuse or
slow down a probe: no host check (balancers probe by address, not by the portal's name), no
HTTPS redirect (probes speak plain HTTP inside the network), no session or sign-in (nothing is
read or written for the visitor). It reveals only which check failed, never connection details
(those are logged).

Checks (all by default; ``?checks=database`` picks some):

- ``database``: a ``SELECT 1``.
- ``broker``: Celery's broker answers within ``HEALTHZ_BROKER_TIMEOUT_SECONDS``.
- ``beat``: beat's heartbeat (``tenants.Heartbeat`` "beat", written every minute) is younger
  than ``HEALTHZ_BEAT_MAX_AGE_SECONDS``.
- ``outbox``: no mail has been due for longer than ``HEALTHZ_OUTBOX_MAX_DELAY_SECONDS``.

200 when every chosen check passes, else 503; the JSON body says which failed and why.
A load balancer should poll ``?checks=database``: a broker outage or a stopped beat is worth an
alert, but taking every web node out of rotation for it would turn it into an outage of the
portal, which keeps accepting tickets without them.
"""

import json
import logging
import os
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

PATH = "/healthz"


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _broker() -> dict:
    timeout = settings.HEALTHZ_BROKER_TIMEOUT_SECONDS
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        # No retries: a probe wants the answer of one attempt, within the timeout.
        client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )
        try:
            client.ping()
        finally:
            client.close()
        return {}
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        if not os.access(folder, os.W_OK):
            raise OSError("the queue folder is not writable")
        return {}
    from portal.celery import app

    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=timeout)
    return {}


def _beat() -> dict:
    from tenants.models import Heartbeat

    seen = Heartbeat.objects.filter(name="beat").values_list("last_seen_at", flat=True).first()
    if seen is None:
        return {"ok": False, "error": "beat has never run"}
    age = (timezone.now() - seen).total_seconds()
    result = {"age_seconds": round(age)}
    if age > settings.HEALTHZ_BEAT_MAX_AGE_SECONDS:
        result.update(ok=False, error=f"no beat for {round(age)} s")
    return result


def _outbox() -> dict:
    from outbox.selectors import backlog

    waiting = backlog(now=timezone.now())
    result = {
        "due": waiting.due,
        "oldest_due_seconds": round(waiting.oldest_due_seconds),
        "failed": waiting.failed,
    }
    if waiting.oldest_due_seconds > settings.HEALTHZ_OUTBOX_MAX_DELAY_SECONDS:
        result.update(ok=False, error=f"mail due for {round(waiting.oldest_due_seconds)} s")
    return result


CHECKS: dict[str, Callable[[], dict]] = {
    "database": _database,
    "broker": _broker,
    "beat": _beat,
    "outbox": _outbox,
}


def run_checks(names: list[str]) -> dict[str, dict]:
    results = {}
    for name in names:
        started = time.monotonic()
        try:
            result = {"ok": True, **CHECKS[name]()}
        except Exception as exc:  # any failure of a dependency is the answer, not an error
            logger.warning("Health check %s failed", name, exc_info=True)
            result = {"ok": False, "error": f"unreachable ({type(exc).__name__})"}
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = result
    return results


def healthz(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return JsonResponse({"error": "use GET"}, status=405, headers={"Allow": "GET, HEAD"})
    asked = request.GET.get("checks")
    names = [n for n in asked.split(",") if n] if asked else list(CHECKS)
    unknown = sorted(set(names) - set(CHECKS))
    if unknown or not names:
        body = {"error": f"unknown checks {unknown}; choose from {sorted(CHECKS)}"}
        return JsonResponse(body, status=400)
    results = run_checks(names)
    healthy = all(r["ok"] for r in results.values())
    body = {"status": "ok" if healthy else "failing", "checks": results}
    if not healthy:
        body["failing"] = [name for name, r in results.items() if not r["ok"]]
    response = HttpResponse(
        json.dumps(body), content_type="application/json", status=200 if healthy else 503
    )
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answers ``/healthz`` before any other middleware runs (see the module's docstring).
    Put it first in ``MIDDLEWARE``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.rstrip("/") == PATH:
            return healthz(request)
        return self.get_response(request)

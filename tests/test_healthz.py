"""``/healthz``: database, broker, beat heartbeat and outbox backlog, without sign-in or session."""

import json
import time
from datetime import timedelta

import pytest
from django.db.utils import OperationalError
from django.utils import timezone

from outbox.models import OutgoingMail
from tenants.services import heartbeat_record

URL = "/healthz"


@pytest.fixture
def beat_alive(db):
    return heartbeat_record(name="beat", now=timezone.now() - timedelta(seconds=30))


def _get(client, url=URL, **extra):
    response = client.get(url, **extra)
    return response, json.loads(response.content)


def _due_mail(waited: timedelta) -> OutgoingMail:
    at = timezone.now() - waited
    return OutgoingMail.objects.create(
        message_id=f"<{waited.total_seconds()}@portal.example>",
        subject="Due",
        body="",
        from_email="support@portal.example",
        to=["a@example.com"],
        created_at=at,
        next_attempt_at=at,
    )


def test_a_healthy_portal_answers_200_with_every_check(client, beat_alive):
    response, body = _get(client)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "beat", "outbox"}
    assert all(check["ok"] for check in body["checks"].values())
    assert 25 <= body["checks"]["beat"]["age_seconds"] <= 60
    assert body["checks"]["outbox"] == {**body["checks"]["outbox"], "due": 0, "failed": 0}


def test_no_sign_in_no_session_and_no_cookie(client, beat_alive, manager):
    client.force_login(manager)  # a session cookie rides along, as a browser's would
    response = client.get(URL)
    assert response.status_code == 200
    assert "Set-Cookie" not in str(response.cookies) and not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_it_reads_neither_the_session_nor_the_user(
    client, beat_alive, manager, django_assert_num_queries
):
    client.force_login(manager)
    # SELECT 1, the heartbeat, three outbox counts (due with the oldest, held by a worker,
    # failed); nothing of the session or the user.
    with django_assert_num_queries(5) as queries:
        assert client.get(URL).status_code == 200
    assert not any(
        "session" in q["sql"] or "tenants_user" in q["sql"] for q in queries.captured_queries
    )


def test_a_plain_http_probe_by_address_is_answered(client, beat_alive, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["portal.example"]

    assert client.get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400  # the rules are on
    response, body = _get(client, HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200 and body["status"] == "ok"


def test_a_beat_that_never_ran_is_reported(client, db):
    response, body = _get(client)
    assert response.status_code == 503
    assert body["failing"] == ["beat"]
    assert body["checks"]["beat"] == {
        **body["checks"]["beat"],
        "ok": False,
        "error": "beat has never run",
    }


def test_a_stale_beat_is_reported(client, db, settings):
    settings.HEALTHZ_BEAT_MAX_AGE_SECONDS = 300
    heartbeat_record(name="beat", now=timezone.now() - timedelta(seconds=301))
    response, body = _get(client)
    assert response.status_code == 503
    assert body["failing"] == ["beat"]
    assert body["checks"]["beat"]["error"].startswith("no beat for 30")


def test_mail_waiting_too_long_is_reported_and_fresh_mail_is_not(client, beat_alive, settings):
    settings.HEALTHZ_OUTBOX_MAX_DELAY_SECONDS = 900
    _due_mail(timedelta(seconds=60))
    response, body = _get(client)
    assert response.status_code == 200
    assert body["checks"]["outbox"]["due"] == 1

    _due_mail(timedelta(seconds=901))
    response, body = _get(client)
    assert response.status_code == 503
    assert body["failing"] == ["outbox"]
    assert body["checks"]["outbox"]["due"] == 2
    assert body["checks"]["outbox"]["oldest_due_seconds"] >= 901


def test_mail_waiting_for_its_retry_time_is_not_a_backlog(client, beat_alive):
    mail = _due_mail(timedelta(hours=2))
    OutgoingMail.objects.filter(pk=mail.pk).update(
        attempts=3, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    response, body = _get(client)
    assert response.status_code == 200
    assert body["checks"]["outbox"]["due"] == 0


def test_an_unreachable_broker_is_reported_quickly(client, beat_alive, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens: refused
    started = time.monotonic()
    response, body = _get(client)
    assert time.monotonic() - started < 1
    assert response.status_code == 503
    assert body["failing"] == ["broker"]
    assert body["checks"]["broker"]["error"] == "unreachable (ConnectionError)"


def test_an_unreachable_database_is_reported(client, beat_alive, monkeypatch):
    import portal.health

    class Down:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(portal.health, "connection", Down())
    response, body = _get(client, f"{URL}?checks=database")
    assert response.status_code == 503
    assert body["checks"]["database"]["error"] == "unreachable (OperationalError)"


def test_a_load_balancer_can_ask_for_the_database_alone(client, db):
    # Beat never ran, yet this node can serve pages.
    response, body = _get(client, f"{URL}?checks=database")
    assert response.status_code == 200
    assert list(body["checks"]) == ["database"]


def test_unknown_checks_and_other_methods_are_refused(client, db):
    response, body = _get(client, f"{URL}?checks=database,coffee")
    assert response.status_code == 400
    assert "coffee" in body["error"]
    assert client.post(URL).status_code == 405

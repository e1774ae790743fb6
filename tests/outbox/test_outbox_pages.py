"""The managers' page of undelivered mail, its "retry now", and the count in the navigation."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutgoingMail
from outbox.services import mail_enqueue

from .helpers import message

URL = reverse("outbox:undelivered")
RETRY = reverse("outbox:retry")


@pytest.fixture
def undelivered(settings):
    """One mail of each state."""
    settings.OUTBOX_DELIVER_ON_COMMIT = "off"
    mail_enqueue([message(n, subject=s) for n, s in enumerate(["Sent", "Waiting", "Refused"])])
    sent, waiting, refused = OutgoingMail.objects.order_by("pk")
    now = timezone.now()
    OutgoingMail.objects.filter(pk=sent.pk).update(state="sent", sent_at=now, attempts=1)
    OutgoingMail.objects.filter(pk=waiting.pk).update(
        attempts=2, next_attempt_at=now + timedelta(minutes=2), last_error="421 Too busy"
    )
    OutgoingMail.objects.filter(pk=refused.pk).update(
        state="failed", attempts=1, last_error="SMTPRecipientsRefused: 550 No such user"
    )
    return OutgoingMail.objects.in_bulk([sent.pk, waiting.pk, refused.pk])


def test_managers_see_undelivered_mail_with_its_error_failed_first(client, manager, undelivered):
    client.force_login(manager)
    response = client.get(URL)

    assert response.status_code == 200
    rows = list(response.context["table"].rows)
    assert [row.record.subject for row in rows] == ["Refused", "Waiting"]
    page = response.content.decode()
    assert "550 No such user" in page and "421 Too busy" in page
    assert "Sent" not in [row.record.subject for row in rows]
    assert page.count("Retry now") == 2


def test_the_list_filters_by_state(client, manager, undelivered):
    client.force_login(manager)
    response = client.get(URL, {"state": "failed"})
    assert [row.record.subject for row in response.context["table"].rows] == ["Refused"]


def test_the_list_runs_a_bounded_number_of_queries(
    client, manager, undelivered, django_assert_max_num_queries
):
    client.force_login(manager)
    mail_enqueue([message(n) for n in range(30)])
    with django_assert_max_num_queries(10):
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize("who", ["engineer", "customer"])
def test_only_managers_see_the_page_or_retry(client, engineers, org_a, undelivered, who):
    client.force_login(engineers["L1"] if who == "engineer" else org_a.admin)
    refused = next(m for m in undelivered.values() if m.state == "failed")

    assert client.get(URL).status_code == 403
    assert client.post(RETRY, {"mail_id": refused.pk}).status_code == 403
    refused.refresh_from_db()
    assert (refused.state, refused.attempts) == ("failed", 1)


def test_retry_now_sends_failed_mail_again_with_fresh_attempts(
    client, manager, undelivered, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_DELIVER_ON_COMMIT = "inline"
    refused = next(m for m in undelivered.values() if m.state == "failed")
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RETRY, {"mail_id": refused.pk, "state": "failed"})

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?state=failed"
    refused.refresh_from_db()
    assert (refused.state, refused.attempts) == ("sent", 1)
    assert [m.subject for m in mail.outbox] == ["Refused"]  # only the one asked for


def test_retry_of_mail_already_sent_changes_nothing(client, manager, undelivered):
    sent = next(m for m in undelivered.values() if m.state == "sent")
    client.force_login(manager)

    response = client.post(RETRY, {"mail_id": sent.pk}, follow=True)

    assert "being sent or was sent already" in response.content.decode()
    sent.refresh_from_db()
    assert (sent.state, sent.attempts) == ("sent", 1)


def test_retry_needs_a_mail_id(client, manager, undelivered):
    client.force_login(manager)
    response = client.post(RETRY, {"mail_id": "x"}, follow=True)
    assert "Choose a mail to send again." in response.content.decode()
    assert client.get(RETRY).status_code == 405


def test_managers_see_the_count_of_undelivered_mail_in_the_navigation(client, manager, undelivered):
    client.force_login(manager)
    page = client.get(reverse("home")).content.decode()
    assert ">1 not delivered</a>" in page
    assert f'href="{URL}"' in page


def test_no_count_without_failed_mail(client, manager, settings):
    settings.OUTBOX_DELIVER_ON_COMMIT = "off"
    client.force_login(manager)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{URL}"' in page
    assert "not delivered</a>" not in page


@pytest.mark.parametrize("who", ["engineer", "customer"])
def test_others_see_neither_the_link_nor_the_count(client, engineers, org_a, undelivered, who):
    client.force_login(engineers["L1"] if who == "engineer" else org_a.admin)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{URL}"' not in page
    assert "not delivered</a>" not in page


def test_the_admin_shows_mail_but_changes_nothing(client, db, undelivered):
    from tenants.models import User

    admin_user = User.objects.create_superuser(email="root@vendor.example", full_name="Root")
    client.force_login(admin_user)
    refused = next(m for m in undelivered.values() if m.state == "failed")

    listing = client.get(reverse("admin:outbox_outgoingmail_changelist"))
    assert listing.status_code == 200
    assert "Refused" in listing.content.decode()
    assert client.get(reverse("admin:outbox_outgoingmail_add")).status_code == 403
    detail = client.get(reverse("admin:outbox_outgoingmail_change", args=[refused.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert (
        client.post(reverse("admin:outbox_outgoingmail_delete", args=[refused.pk])).status_code
        == 403
    )
    assert OutgoingMail.objects.filter(pk=refused.pk, state="failed").exists()

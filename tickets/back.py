"""The ticket page's "← back" link returns to the list the person opened the ticket from: the
queue with their filters, or the ticket list. Those pages note themselves in a signed cookie
(not the session, which would cost the queue a database write on every refresh); a ticket page,
and every redirect after an action on it, reads the note."""

import json

from django.conf import settings
from django.core import signing
from django.urls import reverse

COOKIE = "ticket_back"
SALT = "tickets.back"
MAX_URL_LENGTH = 1000


def remember_list(request, response, label: str) -> None:
    """Note the page being shown (its full path, filters included) on ``response`` as where
    tickets go back to."""
    url = request.get_full_path()
    if len(url) > MAX_URL_LENGTH:
        return
    response.set_signed_cookie(
        COOKIE,
        json.dumps({"url": url, "label": label}),
        salt=SALT,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def back_link(request) -> dict[str, str]:
    """``{"url", "label"}`` of the list to go back to; the person's usual list if none."""
    try:
        note = json.loads(request.get_signed_cookie(COOKIE, salt=SALT))
    except (KeyError, signing.BadSignature, ValueError, TypeError):
        note = {}
    url = note.get("url") if isinstance(note, dict) else None
    # Only a path of this site, never another host (``//evil.example``).
    if isinstance(url, str) and url.startswith("/") and not url.startswith(("//", "/\\")):
        return {"url": url, "label": str(note.get("label") or "list")}
    if request.user.is_support_staff:
        return {"url": reverse("queue:list"), "label": "queue"}
    return {"url": reverse("tickets:list"), "label": "tickets"}

"""Composing the portal's emails. Every email the portal sends is built here and handed to
``outbox.services.mail_enqueue`` inside the transaction that records why it is sent.

Emails are plain text. Their templates (``*.txt``) are rendered by the ``mail`` template engine
(``TEMPLATES`` in settings), which does not HTML-escape: a customer called O'Brien is greeted as
O'Brien, not ``O&#x27;Brien``. Nothing rendered by that engine may ever be served as HTML, so
``compose`` accepts only ``.txt`` templates.

Subjects are one line. A line break in a header is refused by Django when the message is sent,
long after the change that caused it was saved, and the outbox can only log it; so ``compose``
turns every line break and other control character into a space. Forms refuse line breaks
in the fields that become subjects (``lib.forms.validate_single_line``) so that people see why.
"""

import re
from collections.abc import Iterable

from django.core.mail import EmailMessage
from django.template.loader import render_to_string

MAIL_ENGINE = "mail"
# Line and paragraph separators, and every other control character a header must not carry.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_SPACES = re.compile(r" {2,}")
# RFC 5322 recommends lines of at most 78 characters; a subject much longer than that is cut
# by mail clients anyway, and a bounded header keeps the message well-formed.
MAX_SUBJECT_LENGTH = 250


def single_line(text: str) -> str:
    """``text`` on one line: control characters (line breaks included) become single spaces."""
    text = _CONTROL.sub(" ", str(text))
    return _SPACES.sub(" ", text).strip()


def mail_subject(text: str) -> str:
    subject = single_line(text)
    if len(subject) > MAX_SUBJECT_LENGTH:
        subject = subject[: MAX_SUBJECT_LENGTH - 1].rstrip() + "…"
    return subject


def render_text(template: str, context: dict) -> str:
    """A plain-text mail template rendered without HTML escaping."""
    if not template.endswith(".txt"):
        raise ValueError(f"Mail templates are plain text (.txt); got {template}.")
    return render_to_string(template, context, using=MAIL_ENGINE)


def compose(
    *, subject: str, template: str, context: dict, to: Iterable[str], reply_to: Iterable[str] = ()
) -> EmailMessage | None:
    """A plain-text email rendered from ``template``; ``None`` when nobody is to receive it."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return None
    body = render_text(template, context)
    return EmailMessage(
        mail_subject(subject), body, None, recipients, reply_to=list(reply_to) or None
    )

"""Composing the portal's emails. Every email the portal sends is built here and handed to
``outbox.services.mail_enqueue`` inside the transaction that records why it is sent."""

from collections.abc import Iterable

from django.core.mail import EmailMessage
from django.template.loader import render_to_string


def compose(
    *, subject: str, template: str, context: dict, to: Iterable[str], reply_to: Iterable[str] = ()
) -> EmailMessage | None:
    """A plain-text email rendered from ``template``; ``None`` when nobody is to receive it."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return None
    body = render_to_string(template, context)
    return EmailMessage(subject, body, None, recipients, reply_to=list(reply_to) or None)

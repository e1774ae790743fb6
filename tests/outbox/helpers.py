from django.core.mail import EmailMessage, EmailMultiAlternatives

from outbox.models import OutgoingMail


def message(n: int = 1, **kwargs) -> EmailMessage:
    fields = {
        "subject": f"Mail {n}",
        "body": f"Body of mail {n}.",
        "to": [f"person{n}@example.com"],
    }
    fields.update(kwargs)
    return EmailMultiAlternatives(**fields)


def states() -> dict[str, int]:
    """How many rows are in each state."""
    counts: dict[str, int] = {}
    for state in OutgoingMail.objects.values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    return counts

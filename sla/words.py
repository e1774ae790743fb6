"""SLA amounts in words, with their grammar right: ``one business day``, ``3 business days``,
``1 hour``, ``90 minutes``. Pure functions; pages, mails and the admin use them."""

from .deadlines import Clock, Target

NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 10: "ten"}


def counted(amount: int, singular: str, plural: str | None = None) -> str:
    """``1 business day``, ``3 business days``."""
    return f"{amount} {singular if amount == 1 else (plural or singular + 's')}"


def duration_words(target: Target, day_seconds: int) -> str:
    """``one business day``, ``4 hours``, ``60 minutes``, ``ten business days``: a target's
    length as a service description writes it."""
    seconds = target.seconds
    if target.clock == Clock.BUSINESS and seconds % day_seconds == 0:
        days = seconds // day_seconds
        return f"{NUMBER_WORDS.get(days, days)} business day{'s' if days != 1 else ''}"
    suffix = " of business hours" if target.clock == Clock.BUSINESS else ""
    if seconds % 3600 == 0:
        return counted(seconds // 3600, "hour") + suffix
    return counted(seconds // 60, "minute") + suffix

"""Through which channel the person acting reached the portal (an API key), for the timeline
events that services write deeper down without being handed the request."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_via: ContextVar[str] = ContextVar("events_via", default="")


def current_via() -> str:
    """A short label of the channel (``API key "Nagios" (sp_1a2b3c4d)``), or ``""`` for pages."""
    return _via.get()


@contextmanager
def acting_via(label: str) -> Iterator[None]:
    token = _via.set(label)
    try:
        yield
    finally:
        _via.reset(token)

"""Asking the worker to look now: a hint sent to the broker after a commit.

The rows already say what to do (the outbox, webhook deliveries); the beat's periodic runs find
them if a hint never arrives. So a hint must never fail or slow down the request that commits:
with the broker down, sending one fails within the broker's connection timeout (2 s, no publish
retries), and this process then sends none at all for ``PAUSE_SECONDS``. One pause for every
kind of hint, since they share the broker: otherwise each kind would cost each request its own
timeout through the whole outage.
"""

import logging
import time

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 15.0
_paused_until = 0.0


def send_hint(task, *, what: str, **options) -> bool:
    """``task.apply_async(**options)``, unless the broker failed less than ``PAUSE_SECONDS``
    ago. Never raises; returns whether the task was enqueued. ``what`` names it in the log."""
    global _paused_until
    if time.monotonic() < _paused_until:
        return False
    try:
        task.apply_async(**options)
    except Exception:  # the broker is an edge we do not control; the beat catches up
        _paused_until = time.monotonic() + PAUSE_SECONDS
        logger.warning("Could not enqueue %s; the periodic run will do it", what, exc_info=True)
        return False
    return True


def resume() -> None:
    """Forget a pause (a fresh process has none)."""
    global _paused_until
    _paused_until = 0.0

"""Asking the worker for a delivery run once, not once per commit (mail and webhooks ask here).

A commit that left something to deliver asks for a run. While a run that was asked for has not
started yet, it will find this commit's rows as well, so asking again would only make the
worker run again for nothing: under a busy hour's twenty writes a second that was two worker
runs per write, a tenth of a two-core machine. A run lowers its flag as it starts, before it
reads what is due (``run_starting``), so a commit after that moment asks again: nothing is left
for the beat's periodic run.

The flag lives in the shared cache (Redis with ``REDIS_URL``, files otherwise) for at most
``FLAG_SECONDS``: a run that was asked for and never started (its task expired or was lost)
holds later requests back no longer than that, and the beat's periodic run delivers meanwhile.
When the shared cache cannot be reached, every commit asks, as before.
"""

import logging
from collections.abc import Callable

from django.core.cache import caches

logger = logging.getLogger(__name__)

CACHE = "shared"
FLAG_SECONDS = 15


def _key(name: str) -> str:
    return f"run-asked:{name}"


def ask_for_run(name: str, enqueue: Callable[[], bool]) -> bool:
    """``enqueue()`` (which returns whether the task went to the broker) unless a run of
    ``name`` was asked for and has not started. Returns whether a task was enqueued now."""
    cache = caches[CACHE]
    try:
        first = cache.add(_key(name), 1, timeout=FLAG_SECONDS)
    except Exception:  # the shared cache is an edge too: then every commit asks
        logger.warning("Shared cache unreachable; asking for a %s run anyway", name)
        first = True
    if not first:
        return False
    if enqueue():
        return True
    run_starting(name)  # nothing was enqueued: the next commit must ask again
    return False


def run_starting(name: str) -> None:
    """A run of ``name`` starts and is about to read what is due: later commits ask again."""
    try:
        caches[CACHE].delete(_key(name))
    except Exception:
        logger.warning("Shared cache unreachable; could not lower the %s run flag", name)

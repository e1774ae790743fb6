"""Counting requests per key in a fixed time window, in the cache that every web process
shares (``RATE_LIMIT_CACHE``: Redis when configured, else files under ``var/``)."""

import hashlib

from django.conf import settings
from django.core.cache import caches


def _cache():
    return caches[getattr(settings, "RATE_LIMIT_CACHE", "default")]


def _key(scope: str, identity: str) -> str:
    # Hashed: identities are email addresses and client addresses, which need not sit in the
    # cache in clear, and a hash keeps every key short and free of awkward characters.
    digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def hit(scope: str, identity: str, *, limit: int, window_seconds: int) -> bool:
    """Count one request of ``identity`` under ``scope``; False once more than ``limit`` came
    within ``window_seconds`` of the first one."""
    cache = _cache()
    key = _key(scope, identity)
    # add() only sets a missing key, so the window starts at the first request and is not
    # pushed back by later ones.
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def reset(scope: str, identity: str) -> None:
    _cache().delete(_key(scope, identity))

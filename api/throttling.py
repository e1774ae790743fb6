"""Per-key rate limits: a fixed one-minute window counted in the shared ``ratelimit`` cache
(Redis in production), so every web process counts the same calls. ``cache.incr`` is atomic
there, unlike a read-modify-write of a list of timestamps."""

import time

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import BaseThrottle

from lib.client import client_address


class FixedWindow:
    def __init__(self, scope: str, ident: str, seconds: int) -> None:
        self.seconds = seconds
        self.now = time.time()
        self.slot = int(self.now // seconds)
        self.key = f"{scope}:{ident}:{self.slot}"
        self.cache = caches[settings.RATE_LIMIT_CACHE]

    def hit(self) -> int:
        self.cache.add(self.key, 0, self.seconds * 2)
        try:
            return self.cache.incr(self.key)
        except ValueError:  # expired between add and incr
            self.cache.set(self.key, 1, self.seconds * 2)
            return 1

    def count(self) -> int:
        return int(self.cache.get(self.key) or 0)

    def remaining(self) -> float:
        return (self.slot + 1) * self.seconds - self.now


class KeyRateThrottle(BaseThrottle):
    """``API_RATE_LIMIT_PER_MINUTE`` calls per key and minute; past that, 429 with
    ``Retry-After`` (the seconds left in the window)."""

    def allow_request(self, request, view) -> bool:
        key = request.auth
        ident = f"key-{key.pk}" if key is not None else f"ip-{client_address(request)}"
        self.window = FixedWindow("api-calls", ident, 60)
        return self.window.hit() <= settings.API_RATE_LIMIT_PER_MINUTE

    def wait(self) -> float:
        return self.window.remaining()

"""Test settings: the environment still chooses the database and the broker (CI points them
at PostgreSQL and Redis); only what makes tests fast and hermetic differs."""

import os

from .settings import *  # noqa: F403
from .settings import CACHES, STORAGES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Mail goes out in the committing process, so tests read it from django.core.mail.outbox right
# after the commit (django_capture_on_commit_callbacks(execute=True)); outbox tests choose others.
OUTBOX_DELIVER_ON_COMMIT = "inline"
MEDIA_ROOT = VAR_DIR / "test-media"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# The live server speaks plain HTTP, where browsers refuse __Host- cookies.
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: concurrency tests run threads with their own
    # connections, and only a file database gives them real SQLite locking (WAL, IMMEDIATE).
    # One file per test run, so that runs side by side never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-portal-{os.getpid()}.sqlite3")}  # noqa: F405

# Rate limits in this process's memory: each test starts from an empty cache (tests/conftest.py).
CACHES = {
    **CACHES,
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ratelimit",
    },
}

# Tests travel in time across hours and days (SLA clocks); a session must not expire under them.
# The session lifetime tests set the production values themselves.
SESSION_COOKIE_AGE = 14 * 24 * 3600
SESSION_ABSOLUTE_LIFETIME_SECONDS = 14 * 24 * 3600

# Webhook deliveries run when a test calls them, to a receiver on 127.0.0.1.
WEBHOOK_DELIVER_ON_COMMIT = "off"
WEBHOOK_ALLOW_LOOPBACK = True
WEBHOOK_RETRY_BASE_SECONDS = 1
# The generated tests call the API hundreds of times a minute with one key; the limit itself is
# tested with its own setting.
API_RATE_LIMIT_PER_MINUTE = 100_000
API_FAILED_AUTH_PER_MINUTE = 100_000

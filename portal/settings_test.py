"""Test settings: the environment still chooses the database and the broker (CI points them
at PostgreSQL and Redis); only what makes tests fast and hermetic differs."""

import os

from .settings import *  # noqa: F403
from .settings import STORAGES, VAR_DIR

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

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: concurrency tests run threads with their own
    # connections, and only a file database gives them real SQLite locking (WAL, IMMEDIATE).
    # One file per test run, so that runs side by side never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-portal-{os.getpid()}.sqlite3")}  # noqa: F405

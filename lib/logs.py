"""Log lines that read the same from every process of the portal.

Django sets the process's local time zone to ``TIME_ZONE`` (the vendor's), while gunicorn's
master, Celery and the process manager keep the machine's: left alone, one screen of ``make run``
mixed three zones. Every line is therefore stamped in UTC, with the ``Z`` that says so.
"""

import logging
import time


class UTCFormatter(logging.Formatter):
    """``2026-11-23T13:00:00Z WARNING django.request: Not Found: /x``."""

    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%SZ"
    default_msec_format = None

    def __init__(self, fmt=None, datefmt=None, style="%", **kwargs):
        super().__init__(fmt or "%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt, style)


class ClientErrorsWithoutTraceback(logging.Filter):
    """A refused request (403, 404, 405…) is an ordinary answer: one line, no traceback. A
    server error (500) keeps its traceback, which is the one place its cause is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


def logging_config(level: str) -> dict:
    """The ``LOGGING`` dict of the settings (and gunicorn's ``logconfig_dict``): one handler on
    the root logger, and every logger of Django propagating to it, so that a line is written
    once (Django's default configuration adds a console handler of its own under ``DEBUG``)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"utc": {"()": UTCFormatter}},
        "filters": {"client_errors": {"()": ClientErrorsWithoutTraceback}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "utc",
                "filters": ["client_errors"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "django.server": {"handlers": [], "level": "INFO", "propagate": True},
            "django.db.backends": {"level": "WARNING"},
            # The audit log records sign-ins and lockouts; axes' own lines would repeat them.
            "axes": {"level": "WARNING"},
            "gunicorn.error": {"handlers": [], "level": "INFO", "propagate": True},
            "gunicorn.access": {"handlers": [], "level": "INFO", "propagate": True},
        },
    }

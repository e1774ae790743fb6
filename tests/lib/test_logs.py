"""Log lines: written once, in UTC, and a refused request without a traceback."""

import logging
import sys
from datetime import UTC, datetime

from django.core.mail import EmailMessage

from lib.logs import ClientErrorsWithoutTraceback, UTCFormatter, logging_config
from lib.mail_backend import SavedMailBackend


def _record(status_code=None) -> logging.LogRecord:
    try:
        raise PermissionError("refused")
    except PermissionError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Forbidden: /x", None, exc_info
    )
    if status_code is not None:
        record.status_code = status_code
    record.created = datetime(2026, 11, 23, 13, 5, 7, tzinfo=UTC).timestamp()
    return record


def test_a_line_is_stamped_in_utc_whatever_the_process_zone():
    line = UTCFormatter().format(_record(404))
    assert line.startswith("2026-11-23T13:05:07Z WARNING django.request: Forbidden: /x")


def test_a_refused_request_is_logged_without_its_traceback():
    record = _record(403)
    assert ClientErrorsWithoutTraceback().filter(record)
    assert "Traceback" not in UTCFormatter().format(record)


def test_a_server_error_keeps_its_traceback():
    record = _record(500)
    assert ClientErrorsWithoutTraceback().filter(record)
    assert "Traceback" in UTCFormatter().format(record)


def test_djangos_loggers_write_through_the_root_handler_only():
    # Django's default configuration gives the "django" logger a console handler of its own
    # when DEBUG is on: every request warning was written twice.
    config = logging_config("INFO")
    for name in ("django", "django.server", "gunicorn.error", "gunicorn.access"):
        assert config["loggers"][name]["handlers"] == []
        assert config["loggers"][name]["propagate"] is True
    assert config["root"]["handlers"] == ["console"]
    assert logging.getLogger("django").handlers == []


def test_development_mail_is_saved_whole_and_announced_in_one_line(tmp_path, caplog):
    message = EmailMessage("[#7] Export fails", "Line one\nLine two", None, ["bob@x.example"])
    with caplog.at_level(logging.INFO, logger="portal.mail"):
        assert SavedMailBackend(file_path=tmp_path).send_messages([message]) == 1
    [saved] = tmp_path.glob("*.eml")
    assert "Line two" in saved.read_text()
    [line] = [r.getMessage() for r in caplog.records if r.name == "portal.mail"]
    assert line.startswith("Mail to bob@x.example: [#7] Export fails (saved as ")
    assert "Line one" not in line

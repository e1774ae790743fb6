"""Every refusal of the API as an RFC 9457 problem (``application/problem+json``):

    {"type": "tag:support-portal,2026:problem:p1_needs_production",
     "title": "Unprocessable Content", "status": 422, "code": "p1_needs_production",
     "detail": "P1 is reserved for incidents on production tenants; …",
     "errors": {"priority": [{"code": "p1_needs_production", "message": "P1 is reserved …"}]}}

The messages and codes are the services' own (the pages show the same sentences). Statuses:
400 a malformed request (types, missing fields, bad query), 401 no or a bad key, 403 the key or
its person may not do it (``other_level``, ``key_read_only``…), 404 not theirs or not there,
409 the ticket changed since the version given (``ticket_changed``), 413 too large, 422 a rule
refused it (``p1_needs_production``, ``transition_not_allowed``, an ``Idempotency-Key`` reused
with another body…), 429 the key's rate limit (with ``Retry-After``).
"""

import math
from http import HTTPStatus

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from tickets.permissions import Forbidden

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "tag:support-portal,2026:problem:"
STALE_CODES = frozenset({"ticket_changed"})

DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "invalid_key",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
    exceptions.ParseError: "malformed",
    exceptions.NotFound: "not_found",
    exceptions.PermissionDenied: "forbidden",
}


class Problem(exceptions.APIException):
    """A refusal the API raises itself, with its code and, optionally, field errors."""

    def __init__(self, status: int, code: str, detail: str, errors: dict | None = None):
        super().__init__(detail, code)
        self.status_code = status
        self.problem_code = code
        self.errors = errors or {}


def problem(status: int, code: str, detail: str, errors: dict | None = None) -> dict:
    body = {
        "type": TYPE_PREFIX + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body


def problem_response(
    status: int, code: str, detail: str, errors: dict | None = None, headers=None
) -> Response:
    return Response(
        problem(status, code, detail, errors),
        status=status,
        headers=headers,
        content_type=CONTENT_TYPE,
    )


def _django_errors(exc: ValidationError) -> tuple[str, str, dict]:
    """(code, detail, errors) of a service's ``ValidationError``."""
    errors: dict[str, list[dict]] = {}
    if hasattr(exc, "error_dict"):
        for field, items in exc.error_dict.items():
            name = "non_field_errors" if field == "__all__" else field
            for item in items:
                errors.setdefault(name, []).extend(_items(item))
    else:
        errors["non_field_errors"] = [i for item in exc.error_list for i in _items(item)]
    flat = [e for items in errors.values() for e in items]
    code = next((e["code"] for e in flat if e["code"]), "invalid")
    detail = " ".join(e["message"] for e in flat) or "The request was refused."
    if list(errors) == ["non_field_errors"]:
        errors = {}
    return code, detail, errors


def _items(error: ValidationError) -> list[dict]:
    return [
        {"code": e.code or "invalid", "message": message}
        for e, message in zip(error.error_list, error.messages, strict=False)
    ]


def _drf_errors(detail) -> dict:
    """DRF's error details as ``{field: [{"code", "message"}]}``."""
    if isinstance(detail, dict):
        out = {}
        for field, value in detail.items():
            out[field] = _flatten(value)
        return out
    return {"non_field_errors": _flatten(detail)}


def _flatten(value, prefix: str = "") -> list[dict]:
    if isinstance(value, list):
        return [item for v in value for item in _flatten(v)]
    if isinstance(value, dict):
        return [item for k, v in value.items() for item in _flatten(v, f"{k}: ")]
    return [{"code": getattr(value, "code", "invalid"), "message": f"{prefix}{value}"}]


def exception_handler(exc, context) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: the problem for ``exc``, or None for a server error."""
    set_rollback()
    headers = {}
    if isinstance(exc, Problem):
        return problem_response(exc.status_code, exc.problem_code, str(exc.detail), exc.errors)
    if isinstance(exc, ValidationError):
        code, detail, errors = _django_errors(exc)
        status = 409 if code in STALE_CODES else 422
        return problem_response(status, code, detail, errors)
    if isinstance(exc, Forbidden):
        return problem_response(403, exc.code, exc.message)
    if isinstance(exc, PermissionDenied):
        return problem_response(403, "forbidden", str(exc) or "You may not do that.")
    if isinstance(exc, Http404):
        return problem_response(404, "not_found", "Not found.")
    if isinstance(exc, RequestDataTooBig):
        return problem_response(413, "too_large", "The request is too large.")
    if not isinstance(exc, exceptions.APIException):
        return None
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(max(1, math.ceil(exc.wait)))
    code = next((c for cls, c in DRF_CODES.items() if isinstance(exc, cls)), None)
    if isinstance(exc, exceptions.ValidationError):
        errors = _drf_errors(exc.detail)
        flat = [e for items in errors.values() for e in items]
        detail = " ".join(
            e["message"] if field == "non_field_errors" else f"{field}: {e['message']}"
            for field, items in errors.items()
            for e in items
        )
        return problem_response(
            400, "invalid", detail or "The request is not valid.", errors if flat else None
        )
    if code is None or isinstance(exc, exceptions.PermissionDenied | exceptions.NotFound):
        detail_code = exc.get_codes() if isinstance(exc.detail, str) else None
        if isinstance(detail_code, str) and detail_code not in ("permission_denied", "not_found"):
            code = detail_code
    return problem_response(
        exc.status_code, code or "error", str(exc.detail), headers=headers or None
    )

"""Helpers the availability pages share."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404

PAGE_SIZE = 50


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def valid_month(year: int, month: int) -> None:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404("There is no such month.")


def month_label(year: int, month: int) -> str:
    return f"{date(year, month, 1):%B %Y}"


def shift(year: int, month: int, by: int) -> str:
    """``YYYY-MM`` of the month ``by`` months from (``year``, ``month``)."""
    index = year * 12 + month - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"

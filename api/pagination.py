"""Keyset (cursor) pagination: a page is "the rows after this one" in a fixed order, so pages
never overlap or skip rows when tickets are added meanwhile, and no query string can make the
database count or skip through a whole table.

The cursor is signed (``django.core.signing``): a client cannot forge positions, and a cursor
that is not ours is a 400 problem (``invalid_cursor``) rather than a value reaching a query.
``page_size`` is held to 1…``PAGE_SIZE_MAX``.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db.models import F, Q, QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from lib.pagination import page_size_max
from tickets.queue.selectors import urgency_order

from .problems import Problem

DEFAULT_PAGE_SIZE = 25
SALT = "api.pagination"


@dataclass(frozen=True)
class Key:
    field: str
    descending: bool = False
    nulls_last: bool = False
    is_datetime: bool = False


def _value(row, field: str):
    return row[field] if isinstance(row, dict) else getattr(row, field)


def _after(keys: tuple[Key, ...], values: list) -> Q:
    """Rows strictly after ``values`` in the order of ``keys``."""
    condition = Q(pk__in=[])
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        if value is None:
            # Nulls come last: after a null only the nulls that follow on the next keys.
            step = Q(pk__in=[])
            same = Q(**{f"{key.field}__isnull": True})
        else:
            lookup = "lt" if key.descending else "gt"
            step = Q(**{f"{key.field}__{lookup}": value})
            if key.nulls_last:
                step |= Q(**{f"{key.field}__isnull": True})
            same = Q(**{key.field: value})
        condition |= equal & step
        equal &= same
    return condition


class KeysetPagination(BasePagination):
    """Rows in the order of ``keys``, ``page_size`` at a time; the response is
    ``{"next": <url or null>, "results": [...]}``."""

    keys: tuple[Key, ...] = (Key("id", descending=True),)
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def order(self, queryset: QuerySet) -> QuerySet:
        fields = []
        for key in self.keys:
            expression = F(key.field)
            fields.append(
                expression.desc()
                if key.descending
                else expression.asc(nulls_last=True if key.nulls_last else None)
            )
        return queryset.order_by(*fields)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self._page_size(request)
        queryset = self.order(queryset)
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded:
            queryset = queryset.filter(_after(self.keys, self._decode(encoded)))
        rows = list(queryset[: self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        rows = rows[: self.page_size]
        self.last = rows[-1] if rows else None
        return rows

    def _page_size(self, request) -> int:
        """The asked page size; unlike the pages, which quietly hold it in bounds, the API says
        when it is not a whole number from 1 to ``PAGE_SIZE_MAX``."""
        asked = request.query_params.get(self.page_size_query_param)
        if asked is None:
            return DEFAULT_PAGE_SIZE
        maximum = page_size_max()
        if not (asked.isascii() and asked.isdigit() and 1 <= int(asked) <= maximum):
            raise Problem(
                400,
                "invalid_page_size",
                f"page_size must be a whole number from 1 to {maximum}.",
            )
        return int(asked)

    def _decode(self, encoded: str) -> list:
        try:
            values = signing.loads(encoded, salt=SALT)
            if not isinstance(values, list) or len(values) != len(self.keys):
                raise ValueError
            return [
                datetime.fromisoformat(v) if key.is_datetime and v is not None else v
                for key, v in zip(self.keys, values, strict=True)
            ]
        except (signing.BadSignature, ValueError, TypeError):
            raise Problem(
                400,
                "invalid_cursor",
                "That cursor is not one this API gave out; start again without it.",
            ) from None

    def _encode(self, row) -> str:
        values = []
        for key in self.keys:
            value = _value(row, key.field)
            values.append(value.isoformat() if isinstance(value, datetime) else value)
        return signing.dumps(values, salt=SALT, compress=True)

    def get_next_link(self) -> str | None:
        if not self.has_next or self.last is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self._encode(self.last))

    def get_paginated_response(self, data) -> Response:
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The cursor of the next page, from the previous page's `next`.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, {DEFAULT_PAGE_SIZE} by default, at most "
                f"{page_size_max()}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": page_size_max()},
            },
        ]


class TicketPagination(KeysetPagination):
    """Newest tickets first."""

    keys = (Key("id", descending=True),)


class QueuePagination(KeysetPagination):
    """The queue's urgency order (``tickets.queue.selectors.urgency_order``): earliest deadline
    first, tickets without one last, then priority, then ticket number."""

    keys = (
        Key("next_due_at", nulls_last=True, is_datetime=True),
        Key("priority"),
        Key("id"),
    )

    def order(self, queryset: QuerySet) -> QuerySet:
        # The page's own order, from its one definition; ``keys`` mirror it for the cursor.
        return queryset.order_by(*urgency_order())

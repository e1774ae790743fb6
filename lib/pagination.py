"""Page sizes and page numbers that no query string can push out of bounds.

A list page takes ``per_page`` and ``page`` from the query string. Unchecked, ``per_page=-5``
breaks the paginator's arithmetic, ``per_page=1000000`` pulls a whole table into one page and
``page=10**30`` becomes an SQL offset the database cannot hold. Every paginated table uses
``BoundedPaginator`` (or ``bounded_page_size`` in its own paginator).
"""

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator

DEFAULT_PAGE_SIZE_MAX = 100
# Nobody pages that far by hand; beyond it a number is a probe, answered with the last page.
MAX_PAGE_NUMBER = 100_000


def page_size_max() -> int:
    return int(getattr(settings, "PAGE_SIZE_MAX", DEFAULT_PAGE_SIZE_MAX))


def bounded_page_size(value, *, default: int = 25, maximum: int | None = None) -> int:
    """``value`` as a page size between 1 and ``maximum`` (``settings.PAGE_SIZE_MAX``)."""
    maximum = maximum or page_size_max()
    try:
        size = int(value)
    except (TypeError, ValueError, OverflowError):
        size = default
    return min(max(size, 1), maximum)


def bounded_page_number(number):
    """Refuse page numbers past ``MAX_PAGE_NUMBER`` as an empty page (the caller then shows the
    last or first page) instead of sending them to the database as an offset."""
    try:
        too_far = int(number) > MAX_PAGE_NUMBER
    except (TypeError, ValueError, OverflowError):
        return number
    if too_far:
        raise EmptyPage("That page number is too large.")
    return number


class BoundedPaginator(Paginator):
    """Django's paginator with the page size held between 1 and ``settings.PAGE_SIZE_MAX``."""

    def __init__(self, object_list, per_page, *args, **kwargs) -> None:
        super().__init__(object_list, bounded_page_size(per_page), *args, **kwargs)

    def validate_number(self, number):
        return super().validate_number(bounded_page_number(number))

"""The engineer queue page and its CSV export."""

from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django_filters.views import FilterView
from django_tables2 import LazyPaginator, SingleTableMixin

from audit.exports import AuditedCsvExportMixin
from lib.pagination import bounded_page_number
from tickets.back import remember_list
from tickets.models import Ticket

from .filters import QueueFilter
from .selectors import queue_tickets, saved_views, with_default_filters
from .tables import DEFAULT_ORDER, QueueTable

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
REFRESH_SECONDS = 60


class QueuePaginator(LazyPaginator):
    """Never counts the queue: it fetches one row past the page to know whether another page
    follows. The page size a request asks for (``per_page``) is held to ``PAGE_SIZES``' range so
    that no request can pull the whole table."""

    def __init__(self, object_list, per_page, **kwargs) -> None:
        per_page = min(max(int(per_page), PAGE_SIZES[0]), PAGE_SIZES[-1])
        super().__init__(object_list, per_page, **kwargs)

    def validate_number(self, number):
        # A page past any real queue would reach the database as an offset it cannot hold.
        return super().validate_number(bounded_page_number(number))


class QueueView(PermissionRequiredMixin, AuditedCsvExportMixin, SingleTableMixin, FilterView):
    """Open tickets for support staff, most urgent first. Customers get 403."""

    raise_exception = True
    model = Ticket
    table_class = QueueTable
    filterset_class = QueueFilter
    template_name = "tickets/queue.html"
    table_pagination = {"per_page": DEFAULT_PAGE_SIZE, "paginator_class": QueuePaginator}
    export_name = "queue"

    def has_permission(self) -> bool:
        return self.request.user.is_support_staff

    def setup(self, request: HttpRequest, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        # One instant for the whole request: filters, cells and counts all measure from it.
        self.now = timezone.now()

    def _exporting(self) -> bool:
        return self.export_class.is_valid_format(self.request.GET.get(self.export_trigger_param))

    def get_queryset(self) -> QuerySet[Ticket]:
        return queue_tickets(self.request.user)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self._exporting():
            remember_list(request, response, "queue")
        return response

    def get_filterset_kwargs(self, filterset_class) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = with_default_filters(
            self.request.GET, self.request.user, filterset_class.base_filters
        )
        kwargs["user"] = self.request.user
        kwargs["now"] = self.now
        return kwargs

    def get_table_kwargs(self) -> dict[str, Any]:
        return {"user": self.request.user, "now": self.now}

    def get_table_pagination(self, table):
        # The export is the whole filtered queue, not the page on screen.
        if self._exporting():
            return False
        return super().get_table_pagination(table)

    def get_export_filename(self, export_format: str) -> str:
        return f"queue-{timezone.localtime(self.now):%Y-%m-%d-%H%M}.{export_format}"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        table = context["table"]
        names = list(self.filterset.filters)
        order = ",".join(table.order_by or ())
        views = saved_views(self.request.user)
        context.update(
            saved_views=[
                {"view": view, "current": view.matches(self.filterset.data, names)}
                for view in views
            ],
            # How many filters narrow the list, for the folded panel's summary.
            active_filters=sum(
                1 for name in names if any(v for v in self.filterset.data.getlist(name))
            ),
            page_sizes=PAGE_SIZES,
            refresh_seconds=REFRESH_SECONDS,
            now=self.now,
            # Kept by the filter form when it is not the default order.
            sort="" if order in ("", DEFAULT_ORDER) else order,
        )
        return context

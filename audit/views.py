from django.contrib.auth.mixins import PermissionRequiredMixin
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from lib.pagination import BoundedPaginator

from .filters import AuditEventFilter
from .models import AuditEvent
from .tables import AuditEventTable


def can_read_audit_log(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.is_support_manager)


class AuditLogView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """The security audit log for support managers, newest first."""

    raise_exception = True
    model = AuditEvent
    table_class = AuditEventTable
    filterset_class = AuditEventFilter
    template_name = "audit/list.html"
    table_pagination = {"per_page": 50, "paginator_class": BoundedPaginator}

    def has_permission(self) -> bool:
        return can_read_audit_log(self.request.user)

    def get_queryset(self):
        return AuditEvent.objects.select_related("actor")

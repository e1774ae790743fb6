"""The tenant gate: the one place that decides which rows a user may see.

Every view that takes an object id gets the object through ``object_for_user`` (or a selector
built on ``scope_for_user``); an object of another organisation is a 404, never a 403, so that
ids of other customers cannot even be probed. Support staff see every organisation.
"""

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def scope_for_user(
    queryset: QuerySet[M], user, *, organisation_path: str = "organisation"
) -> QuerySet[M]:
    """Narrow ``queryset`` to the rows ``user`` may see.

    ``organisation_path`` is the lookup from the model to its ``Organisation`` ("organisation",
    "tenant__organisation", or "" for the Organisation model itself).
    """
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_customer:
        lookup = f"{organisation_path}_id" if organisation_path else "pk"
        return queryset.filter(**{lookup: user.organisation_id})
    if user.is_support_staff or user.is_superuser:
        return queryset
    return queryset.none()


def object_for_user(
    queryset: QuerySet[M], user, pk, *, organisation_path: str = "organisation"
) -> M:
    """Return the object with ``pk`` if ``user`` may see it, else raise ``Http404``."""
    try:
        return scope_for_user(queryset, user, organisation_path=organisation_path).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No {queryset.model._meta.verbose_name} found.") from None


def contact_for_admin(user, pk):
    """A contact account that ``user`` may manage: one of their own organisation's contacts."""
    from .models import User

    if not user.is_customer_admin:
        raise Http404("No contact found.")
    return object_for_user(User.objects.select_related("organisation"), user, pk)


def tenant_for_user(user, pk):
    from .models import Tenant

    return object_for_user(Tenant.objects.select_related("organisation"), user, pk)

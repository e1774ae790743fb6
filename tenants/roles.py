"""Support staff roles as Django groups with permissions.

Views ask ``user.has_perm(...)`` (or the role helpers on ``User``); they never test group names.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q, QuerySet

from .models import User

ENGINEERS_GROUP = "Support engineers"
MANAGERS_GROUP = "Support managers"

GROUP_PERMISSIONS: dict[str, list[str]] = {
    ENGINEERS_GROUP: ["tenants.work_tickets"],
    MANAGERS_GROUP: ["tenants.work_tickets", "tenants.manage_support"],
}


def ensure_role_groups() -> dict[str, Group]:
    """Create (or repair) the staff groups and their permissions; safe to call repeatedly."""
    groups = {}
    for name, perm_names in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = []
        for dotted in perm_names:
            app_label, codename = dotted.split(".")
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(perms)
        groups[name] = group
    return groups


def staff_with_permission(perm: str) -> QuerySet[User]:
    """Active support staff who hold ``perm`` ("tenants.manage_support") through a group or
    directly: the people a background job mails. Customer contacts never qualify."""
    app_label, codename = perm.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    # Subqueries rather than joins: a join over both many-to-many tables multiplies rows.
    through_group = User.groups.through.objects.filter(group__permissions__in=permission)
    direct = User.user_permissions.through.objects.filter(permission__in=permission)
    return User.objects.filter(
        Q(pk__in=through_group.values("user_id")) | Q(pk__in=direct.values("user_id")),
        is_active=True,
        organisation__isnull=True,
    )


def managers() -> QuerySet[User]:
    """The active support managers."""
    return staff_with_permission("tenants.manage_support")


def manager_emails() -> list[str]:
    """Email addresses of the active support managers."""
    return sorted(staff_with_permission("tenants.manage_support").values_list("email", flat=True))


def engineers(*levels: str) -> QuerySet[User]:
    """Active support engineers who work the ladder, at ``levels`` (all levels when none are
    given): the one answer to "the engineers at level X" for assignment lists, mail and SLA
    warnings. Managers are not among them unless they also carry a level."""
    queryset = staff_with_permission("tenants.work_tickets").exclude(support_level="")
    if levels:
        queryset = queryset.filter(support_level__in=levels)
    return queryset

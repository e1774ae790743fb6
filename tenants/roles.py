"""Support staff roles as Django groups with permissions.

Views ask ``user.has_perm(...)`` (or the role helpers on ``User``); they never test group names.
"""

from django.contrib.auth.models import Group, Permission

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

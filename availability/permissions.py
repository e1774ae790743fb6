"""Who may do what with availability data: the one place services, views and templates ask."""


def can_view_all(user) -> bool:
    """Every tenant's availability, every region's maintenance: support staff."""
    return user.is_authenticated and user.is_active and (user.is_support_staff or user.is_superuser)


def can_record_outages(user) -> bool:
    """Record, change and end outages: support staff (engineers work the incidents)."""
    return user.is_authenticated and user.is_active and user.is_support_staff


def can_manage_windows(user) -> bool:
    """Mark weekly and quarterly windows used, move or cancel them: support staff."""
    return user.is_authenticated and user.is_active and user.is_support_staff


def can_schedule_quarterly(user) -> bool:
    """Schedule a quarterly window (§5.1.2): support managers and administrators."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_support_manager or user.has_perm("availability.add_maintenancewindow"))
    )


def can_preview_statements(user) -> bool:
    """Any organisation's monthly SLA statement: support managers."""
    return user.is_authenticated and user.is_active and user.is_support_manager


def can_subscribe(user) -> bool:
    """Maintenance notices go to customer contacts (§5.1.3)."""
    return user.is_authenticated and user.is_active and user.is_customer

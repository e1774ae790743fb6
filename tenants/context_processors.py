def navigation(request):
    """Role flags for the navigation, computed once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_is_customer": user.is_customer,
        "nav_is_customer_admin": user.is_customer_admin,
        "nav_is_engineer": user.is_support_engineer,
        "nav_is_manager": user.is_support_manager,
    }

"""How django-axes names the account a sign-in attempt is for."""


def username_of(request, credentials) -> str | None:
    """The address tried, lower-cased and trimmed: ``Alice@Example.com`` and
    ``alice@example.com `` are the same account and share one failure count."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    if username is None:
        return None
    return str(username).strip().lower()[:254] or None

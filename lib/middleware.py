"""Response headers that Django's own settings do not cover."""

from django.conf import settings

NO_STORE = "private, no-store"


class SecurityHeadersMiddleware:
    """- ``Cache-Control: private, no-store`` on every response to a signed-in person (pages,
      exports, attachment downloads): no shared cache or proxy keeps a customer's data, and the
      browser does not show it again from its cache after sign-out.
    - ``Permissions-Policy`` (``settings.PERMISSIONS_POLICY``) on every response.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or response.cookies.get(
            settings.SESSION_COOKIE_NAME
        ):
            response["Cache-Control"] = NO_STORE
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.setdefault("Permissions-Policy", policy)
        return response

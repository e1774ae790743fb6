"""Response headers that Django's own settings do not cover."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string

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


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than ``settings.REQUEST_MAX_BYTES`` with 413 before anything
    reads it, so that an oversized upload is not spooled to disk first. The forms check the
    files themselves, with a message by the field."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "REQUEST_MAX_BYTES", None)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            # Rendered without the request: nothing about the person is known this early.
            body = render_to_string("413.html", {"limit": filesizeformat(limit)})
            return HttpResponse(body, status=413)
        return self.get_response(request)


class HttpMethodsMiddleware:
    """Pages are read with GET (or HEAD) and changed with POST; every other method (PUT, PATCH,
    DELETE, TRACE, …) is refused with 405 for every path in one place, rather than reaching
    function views that would treat it as a GET. ``settings.HTTP_METHODS_ALLOWED`` lists the
    accepted ones."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        allowed = getattr(settings, "HTTP_METHODS_ALLOWED", ("GET", "HEAD", "POST", "OPTIONS"))
        if request.method not in allowed:
            response = HttpResponseNotAllowed(allowed)
            response["Content-Type"] = "text/plain; charset=utf-8"
            response.content = b"Method not allowed."
            return response
        return self.get_response(request)

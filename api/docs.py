"""The API's browsable documentation: Swagger UI from the installed sidecar package (served by
whitenoise like every static file), started by a script file of ours, so the portal's strict
Content-Security-Policy holds here too: no inline script or style, nothing from a CDN. The one
route-specific addition is ``data:`` images, which Swagger UI's stylesheet uses for its icons
(an image cannot run code)."""

from csp.constants import SELF
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe


@login_not_required
@require_safe
@csp_update({"img-src": [SELF, "data:"]})
def swagger_ui(request):
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema")})

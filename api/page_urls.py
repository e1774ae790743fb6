"""Pages where customer admins manage their organisation's API keys and webhooks, and support
managers the staff keys: /integrations/…"""

from django.urls import path

from . import pages

app_name = "integrations"

urlpatterns = [
    path("", pages.index, name="index"),
    path("keys/new/", pages.key_create, name="key_create"),
    path("keys/<int:key_id>/revoke/", pages.key_revoke, name="key_revoke"),
    path("webhooks/new/", pages.webhook_create, name="webhook_create"),
    path("webhooks/<int:endpoint_id>/", pages.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:endpoint_id>/active/", pages.webhook_set_active, name="webhook_set_active"),
    path("webhooks/<int:endpoint_id>/test/", pages.webhook_ping, name="webhook_ping"),
    path(
        "webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/retry/",
        pages.delivery_retry,
        name="delivery_retry",
    ),
]

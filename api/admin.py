"""Read-only admin lists: keys, endpoints and deliveries are changed through the pages and
services (which audit them); the admin shows them, never their secrets."""

from django.contrib import admin

from .models import ApiKey, WebhookDelivery, WebhookEndpoint


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = (
        "prefix",
        "name",
        "user",
        "organisation",
        "scope",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("scope",)
    search_fields = ("prefix", "name", "user__email")
    exclude = ("secret_hash",)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ("url", "organisation", "is_active", "created_at")
    list_filter = ("is_active",)
    exclude = ("secret",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("pk", "endpoint", "state", "attempts", "last_status_code", "created_at")
    list_filter = ("state",)
    list_select_related = ("endpoint",)

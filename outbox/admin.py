from django.contrib import admin

from .models import OutgoingMail


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """Read-only: rows change only through delivery and the managers' retry, which keep the
    lease and attempt counts consistent."""

    list_display = ("created_at", "subject", "recipient_list", "state", "attempts", "sent_at")
    list_filter = ("state",)
    search_fields = ("subject", "message_id", "to")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)

    @admin.display(description="To")
    def recipient_list(self, obj: OutgoingMail) -> str:
        return ", ".join(obj.to)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

"""Admin for the availability data an administrator configures (targets, maintenance slots), and
a read-only view of what the pages and jobs record. Outages and windows change through the
staff pages only, where their services keep the ticket timelines and the change history."""

from django.contrib import admin

from .models import (
    AvailabilityTarget,
    MaintenanceNotice,
    MaintenanceSlot,
    MaintenanceSubscription,
    MaintenanceWindow,
    MaintenanceWindowChange,
    Outage,
    SlaStatement,
)


@admin.register(AvailabilityTarget)
class AvailabilityTargetAdmin(admin.ModelAdmin):
    list_display = ("__str__", "policy", "percent")


@admin.register(MaintenanceSlot)
class MaintenanceSlotAdmin(admin.ModelAdmin):
    list_display = ("region", "kind", "weekday", "starts_at", "duration_minutes", "effective_from")
    list_filter = ("region", "kind")
    fieldsets = [
        (
            None,
            {
                "fields": ("region", "kind", "weekday", "starts_at", "duration_minutes"),
                "description": "Times are exact UTC, as in the service description (§5.1).",
            },
        ),
        (
            "When it applies",
            {
                "fields": ("effective_from",),
                "description": "To change a region's schedule, add a slot with a later "
                "“effective from”: months before it keep the old windows. Editing an existing "
                "slot changes every month it covers.",
            },
        ),
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WindowChangeInline(admin.TabularInline):
    model = MaintenanceWindowChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "action", "reason", "data")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "region", "kind", "starts_at", "ends_at", "used", "cancelled_at")
    list_filter = ("region", "kind", "used")
    date_hierarchy = "starts_at"
    inlines = [WindowChangeInline]


@admin.register(Outage)
class OutageAdmin(ReadOnlyAdmin):
    list_display = ("tenant", "scope", "starts_at", "ends_at", "incident")
    list_filter = ("scope",)
    search_fields = ("tenant__name", "cause")
    date_hierarchy = "starts_at"


@admin.register(MaintenanceSubscription)
class MaintenanceSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("user", "subscribed", "changed_at")
    list_filter = ("subscribed",)


@admin.register(MaintenanceNotice)
class MaintenanceNoticeAdmin(ReadOnlyAdmin):
    list_display = ("window", "kind", "email", "sent_at")
    list_filter = ("kind",)


@admin.register(SlaStatement)
class SlaStatementAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "month", "sent_at")
    date_hierarchy = "month"

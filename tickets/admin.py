from django.contrib import admin

from . import services
from .models import Attachment, Ticket, TicketEvent, TicketTarget


class TicketTargetInline(admin.TabularInline):
    model = TicketTarget
    extra = 0
    can_delete = False
    fields = (
        "kind",
        "cycle",
        "priority",
        "clock",
        "started_at",
        "due_at",
        "state",
        "met_at",
        "breached_at",
        "warned_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "public", "body", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Tickets are filed and worked in the portal; the admin edits text and the priority (through
    the same reclassification service and rules as the staff form)."""

    list_display = (
        "id",
        "subject",
        "organisation",
        "tenant",
        "kind",
        "priority",
        "level",
        "status",
        "next_due_at",
        "sla_breached",
    )
    list_filter = ("status", "level", "priority", "kind", "sla_breached")
    search_fields = ("subject", "reference_id", "organisation__name", "tenant__name")
    list_select_related = ("organisation", "tenant")
    readonly_fields = (
        "organisation",
        "tenant",
        "kind",
        "request_size",
        "submitter",
        "assignee",
        "level",
        "status",
        "resolution_type",
        "product_defect",
        "created_at",
        "updated_at",
        "next_due_at",
        "sla_breached",
        "version",
    )
    fields = ("subject", "description", "reference_id", "impact", "priority", *readonly_fields)
    inlines = [TicketTargetInline, TicketEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        new_priority = obj.priority
        text_fields = [f for f in form.changed_data if f != "priority"]
        if text_fields:
            obj.save(update_fields=text_fields)
        if "priority" in form.changed_data:
            obj.priority = form.initial["priority"]
            services.ticket_reclassify(
                ticket=obj,
                actor=request.user,
                priority=new_priority,
                reason="Changed in the administration site.",
                version=None,
            )


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "ticket", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = (
        "ticket",
        "event",
        "uploaded_by",
        "file",
        "original_name",
        "content_type",
        "size",
        "public",
        "uploaded_at",
    )

    def has_add_permission(self, request):
        return False

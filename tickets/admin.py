from django import forms
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
        "revision",
        "priority",
        "basis",
        "clock",
        "target_seconds",
        "started_at",
        "due_at",
        "paused_at",
        "state",
        "met_at",
        "breached_at",
        "ended_at",
        "used_seconds",
        "held_level",
        "held_by",
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


class TicketAdminForm(forms.ModelForm):
    """Carries the version the editor saw, so that a stale form is refused like the portal's."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Ticket
        fields = ("subject", "description", "reference_id", "impact", "priority")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        current = Ticket.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
        if seen is not None and seen != current.first():
            raise forms.ValidationError(services.TicketChanged(self.instance).messages[0])
        return cleaned


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Tickets are filed and worked in the portal; the admin corrects their text and priority
    through the same services and rules as the portal (events on the timeline, a new version)."""

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
    form = TicketAdminForm
    fields = (
        "subject",
        "description",
        "reference_id",
        "impact",
        "priority",
        "seen_version",
        *readonly_fields,
    )
    inlines = [TicketTargetInline, TicketEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Through the services, as the portal's own forms: text edits and reclassification
        write timeline events and bump the version (a stale admin form is refused)."""
        version = form.cleaned_data["seen_version"]
        details = {
            name: form.cleaned_data[name]
            for name in services.EDITABLE_DETAILS
            if name in form.changed_data
        }
        if details:
            obj = services.ticket_edit_details(
                ticket=obj, actor=request.user, version=version, **details
            )
            version = obj.version
        if "priority" in form.changed_data:
            services.ticket_reclassify(
                ticket=obj,
                actor=request.user,
                priority=form.cleaned_data["priority"],
                reason="Changed in the administration site.",
                version=version,
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

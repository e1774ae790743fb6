from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError

from lib.forms import plausible_dates_in_admin

from . import onboarding
from .models import (
    Heartbeat,
    OnboardingChecklist,
    OnboardingReminder,
    OnboardingStep,
    Organisation,
    Tenant,
    User,
)


class TenantInline(admin.TabularInline):
    model = Tenant
    extra = 0
    formfield_overrides = plausible_dates_in_admin()


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "contract_signed_on", "go_live_on", "terminated_on")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [TenantInline]
    actions = ["start_onboarding"]
    formfield_overrides = plausible_dates_in_admin()

    @admin.action(
        description="Start onboarding (contract signed)",
        permissions=["add_onboarding"],
    )
    def start_onboarding(self, request, queryset) -> None:
        """Open the checklist of each selected customer from its contract-signed date (and its
        go-live date as the planned go-live)."""
        for organisation in queryset:
            if organisation.contract_signed_on is None:
                self.message_user(
                    request,
                    f"{organisation}: set the contract-signed date first.",
                    messages.ERROR,
                )
                continue
            try:
                onboarding.onboarding_start(
                    organisation=organisation,
                    signed_on=organisation.contract_signed_on,
                    planned_go_live=organisation.go_live_on,
                    actor=request.user,
                )
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(getattr(exc, "messages", [str(exc)]))
                self.message_user(request, f"{organisation}: {text}", messages.ERROR)
            else:
                self.message_user(request, f"{organisation}: onboarding started.")

    def has_add_onboarding_permission(self, request) -> bool:
        return request.user.has_perm("tenants.add_onboardingchecklist")


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "kind", "data_centre", "provisioned_at")
    formfield_overrides = plausible_dates_in_admin()
    list_filter = ("kind", "data_centre")
    search_fields = ("name", "organisation__name")
    list_select_related = ("organisation",)


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ("email",)
    list_display = (
        "email",
        "full_name",
        "organisation",
        "contact_role",
        "support_level",
        "is_active",
    )
    list_filter = ("is_active", "support_level", "contact_role", "groups")
    search_fields = ("email", "full_name", "organisation__name")
    list_select_related = ("organisation",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "phone")}),
        ("Customer contact", {"fields": ("organisation", "contact_role")}),
        ("Support staff", {"fields": ("support_level", "groups")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "last_seen_at")


class OnboardingStepInline(admin.TabularInline):
    model = OnboardingStep
    extra = 0
    can_delete = False
    fields = ("name", "phase", "responsible", "due_on", "not_applicable", "done_at", "done_by")
    readonly_fields = ("name", "phase", "responsible", "not_applicable", "done_at", "done_by")
    formfield_overrides = plausible_dates_in_admin()

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OnboardingChecklist)
class OnboardingChecklistAdmin(admin.ModelAdmin):
    """Checklists are opened by the "Start onboarding" action on customers, not added here."""

    list_display = ("organisation", "signed_on", "planned_go_live_on", "started_at")
    search_fields = ("organisation__name",)
    list_select_related = ("organisation",)
    readonly_fields = ("organisation", "signed_on", "started_at", "started_by")
    inlines = [OnboardingStepInline]
    formfield_overrides = plausible_dates_in_admin()

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(OnboardingReminder)
class OnboardingReminderAdmin(admin.ModelAdmin):
    list_display = ("step", "sent_on", "sent_at", "flagged_to_managers")
    list_select_related = ("step__checklist__organisation",)
    readonly_fields = ("step", "sent_on", "sent_at", "recipients", "flagged_to_managers")

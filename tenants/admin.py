from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError

from lib.forms import add_service_error, plausible_dates_in_admin

from . import services
from .models import Heartbeat, Organisation, Tenant, User


class TenantInline(admin.TabularInline):
    model = Tenant
    extra = 0
    # Recorded by onboarding or on the tenant's own page, under the rules there.
    readonly_fields = ("provisioned_at",)


class TenantAdminForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ("organisation", "name", "kind", "data_centre", "provisioned_at")

    def clean(self):
        cleaned = super().clean()
        provisioned_at = cleaned.get("provisioned_at")
        if "provisioned_at" in self.changed_data and provisioned_at is not None:
            stored = Tenant.objects.filter(pk=self.instance.pk).first() or self.instance
            if stored.organisation_id is None and cleaned.get("organisation"):
                stored.organisation = cleaned["organisation"]
            try:
                services.tenant_check_provisioning(tenant=stored, provisioned_at=provisioned_at)
            except ValidationError as exc:
                add_service_error(self, exc)
        return cleaned


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "contract_signed_on", "go_live_on", "terminated_on")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [TenantInline]
    formfield_overrides = plausible_dates_in_admin()


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    """``provisioned_at`` follows the portal's rule: recorded once (by the onboarding
    checklist's provisioning step, or here for tenants provisioned before it), then fixed."""

    form = TenantAdminForm
    list_display = ("name", "organisation", "kind", "data_centre", "provisioned_at")
    formfield_overrides = plausible_dates_in_admin()
    list_filter = ("kind", "data_centre")
    search_fields = ("name", "organisation__name")
    list_select_related = ("organisation",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.provisioned_at is not None:
            return ("provisioned_at",)
        return ()

    def save_model(self, request, obj, form, change):
        provisioned_at = obj.provisioned_at
        if "provisioned_at" in form.changed_data and provisioned_at is not None:
            obj.provisioned_at = None
            super().save_model(request, obj, form, change)
            services.tenant_record_provisioning(tenant=obj, provisioned_at=provisioned_at)
            obj.refresh_from_db()
        else:
            super().save_model(request, obj, form, change)


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

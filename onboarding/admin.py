from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from lib.forms import plausible_dates_in_admin
from tenants.admin import OrganisationAdmin
from tenants.models import Organisation

from . import services
from .models import OnboardingChecklist, OnboardingReminder, OnboardingStep

# Customers get the "Start onboarding" action here, so that ``tenants`` knows nothing of
# onboarding: this app extends the organisation admin that ``tenants`` registered.
admin.site.unregister(Organisation)


@admin.register(Organisation)
class OnboardingOrganisationAdmin(OrganisationAdmin):
    actions = ["start_onboarding"]

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
                services.onboarding_start(
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
        return request.user.has_perm("onboarding.add_onboardingchecklist")


class OnboardingStepInline(admin.TabularInline):
    model = OnboardingStep
    extra = 0
    can_delete = False
    # Steps change on the portal's step page, where the rules (required steps, done steps,
    # due dates) apply and the customer sees the same data.
    fields = ("name", "phase", "responsible", "due_on", "not_applicable", "done_at", "done_by")
    readonly_fields = fields

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

    def save_model(self, request, obj, form, change):
        """The planned go-live moves the testing and go-live schedule steps with it, as on
        the staff page."""
        if "planned_go_live_on" in form.changed_data:
            services.onboarding_set_go_live(
                checklist=obj, planned_go_live=obj.planned_go_live_on, actor=request.user
            )


@admin.register(OnboardingReminder)
class OnboardingReminderAdmin(admin.ModelAdmin):
    list_display = ("step", "sent_on", "sent_at", "flagged_to_managers")
    list_select_related = ("step__checklist__organisation",)
    readonly_fields = ("step", "sent_on", "sent_at", "recipients", "flagged_to_managers")

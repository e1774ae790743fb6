from django import forms
from django.utils import timezone

from lib.forms import PlausibleDateField
from tenants.models import Organisation


class OnboardingStartForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=None,
        help_text="Customers whose onboarding has not started and who have not gone live yet.",
    )
    signed_on = PlausibleDateField(label="Contract signed on")
    planned_go_live = PlausibleDateField(
        label="Planned go-live",
        required=False,
        help_text="The go-live schedule is due two weeks before; you can set it later.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Customers without a checklist who have not gone live yet (an organisation live before
        # the portal had checklists has nothing to onboard).
        today = timezone.localdate()
        self.fields["organisation"].queryset = (
            Organisation.objects.filter(onboarding__isnull=True)
            .exclude(go_live_on__lte=today)
            .exclude(terminated_on__lte=today)
            .order_by("name")
        )


class OnboardingGoLiveForm(forms.Form):
    planned_go_live = PlausibleDateField(label="Planned go-live", required=False)


class OnboardingStepForm(forms.Form):
    due_on = PlausibleDateField(label="Due on", required=False)
    not_applicable = forms.BooleanField(
        label="Not applicable", required=False, help_text="Not part of this customer's order."
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))

from django import forms

from lib.forms import PlausibleDateField
from tenants.models import Organisation


class OnboardingStartForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=None, help_text="Customers whose onboarding has not started yet."
    )
    signed_on = PlausibleDateField(label="Contract signed on")
    planned_go_live = PlausibleDateField(
        label="Planned go-live",
        required=False,
        help_text="The go-live schedule is due two weeks before; you can set it later.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            onboarding__isnull=True
        ).order_by("name")


class OnboardingGoLiveForm(forms.Form):
    planned_go_live = PlausibleDateField(label="Planned go-live", required=False)


class OnboardingStepForm(forms.Form):
    due_on = PlausibleDateField(label="Due on", required=False)
    not_applicable = forms.BooleanField(
        label="Not applicable", required=False, help_text="Not part of this customer's order."
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))

from zoneinfo import available_timezones

from django import forms

from .models import ContactRole
from .preferences import locked_choices, mail_choices


class ContactForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(
        label="Email address", help_text="The person signs in with this address."
    )
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    contact_role = forms.ChoiceField(
        label="Role",
        choices=ContactRole.choices,
        help_text="Main contacts and technical administrators can manage contact accounts.",
    )


def _zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones()) if "/" in name]


class PreferencesForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Time zone",
        help_text="Pages and the portal's emails show dates and times in this zone.",
    )
    mail = forms.MultipleChoiceField(
        label="Emails I receive",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick what you do not want. Alerts for P1 incidents that your role must "
        "act on cannot be turned off.",
    )

    def __init__(self, *args, person, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = _zone_choices()
        self.fields["mail"].choices = [(k.value, k.label) for k in mail_choices(person)]
        self.locked = locked_choices(person)

"""Forms of the integration pages: one request's input; the rules are the services'."""

from django import forms

from events.models import EventType
from lib.forms import SingleLineCharField

from .models import ApiKey

EVENT_CHOICES = [(t.value, f"{t.label} ({t.value})") for t in EventType if t != EventType.PING]


class ApiKeyForm(forms.Form):
    name = SingleLineCharField(
        max_length=100,
        help_text="What will use it, so you can tell keys apart: “Nagios on mon-01”.",
    )
    holder = forms.ModelChoiceField(
        queryset=None,
        label="Acts as",
        empty_label=None,
        help_text="Every call is this person's on the ticket timelines, with the key's name.",
    )
    scope = forms.ChoiceField(
        choices=ApiKey.Scope.choices,
        initial=ApiKey.Scope.READ,
        widget=forms.RadioSelect,
        help_text="Read only lists and reads tickets; read and write also files, replies and acts.",
    )

    def __init__(self, *args, holders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = holders
        self.fields["holder"].label_from_instance = lambda u: f"{u.full_name} ({u.email})"


class WebhookForm(forms.Form):
    url = SingleLineCharField(
        label="Address",
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://itsm.example.com/hooks/portal"}),
        help_text="An HTTPS address on the internet that answers 2xx to a POST.",
    )
    description = SingleLineCharField(max_length=100, required=False)
    event_types = forms.MultipleChoiceField(
        label="Events",
        choices=EVENT_CHOICES,
        initial=[value for value, _ in EVENT_CHOICES],
        widget=forms.CheckboxSelectMultiple,
    )

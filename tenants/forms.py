from django import forms

from .models import ContactRole


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

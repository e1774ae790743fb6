from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from lib.mail import compose, render_text
from lib.urls import absolute_reverse
from outbox.services import mail_enqueue


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form for the portal's people.

    - Contacts created by a customer admin start with an unusable password and are sent a link
      to choose one; when that link has expired, "forgot password" must still work for them, so
      every *active* account with the address gets the email (Django's form skips accounts
      without a usable password).
    - The email is composed like every other (``lib.mail``), with the link built from
      ``PORTAL_BASE_URL`` rather than from the request's Host header, which a client chooses.
    """

    def get_users(self, email):
        return get_user_model()._default_manager.filter(email__iexact=email, is_active=True)

    def save(self, *args, **kwargs):
        kwargs.update(
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
        )
        return super().save(*args, **kwargs)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        link = absolute_reverse(
            "password_reset_confirm",
            uidb64=urlsafe_base64_encode(force_bytes(user.pk)),
            token=default_token_generator.make_token(user),
        )
        context = {"user": user, "link": link}
        mail_enqueue(
            [
                compose(
                    subject=render_text(subject_template_name, context),
                    template=email_template_name,
                    context=context,
                    to=[to_email],
                )
            ]
        )


class CodeForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=20,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
    )


class EnrolForm(forms.Form):
    token = forms.CharField(
        label="Code from the app",
        max_length=10,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="After adding the account, enter the 6-digit code the app shows.",
    )


class LockoutEndForm(forms.Form):
    username = forms.EmailField(max_length=254, widget=forms.HiddenInput)


class SecondFactorResetForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=None,
        label="Person",
        empty_label="Choose a person",
        help_text="People who have an authenticator. Their sessions end, and staff set up a new one at their next sign-in.",
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        from django_otp.plugins.otp_totp.models import TOTPDevice

        people = get_user_model().objects.filter(
            pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id")
        )
        people = people.exclude(pk=actor.pk)
        if not actor.is_superuser:
            people = people.exclude(is_superuser=True)
        self.fields["person"].queryset = people.order_by("email")
        self.fields["person"].label_from_instance = lambda u: f"{u.email} ({u})"

"""Forms collect one request's input; the rules that decide (priority, permissions, state)
live in ``rules`` and ``services`` and come back as errors on these forms."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy

from lib.forms import PlausibleDateTimeField, SingleLineCharField
from sla.models import Priority
from tenants.models import SupportLevel

from . import rules
from .attachments import ALLOWED_DESCRIPTION, validate_upload_set
from .models import Ticket


def priority_choice(priority: str) -> tuple[str, str]:
    """``("P3", "P3 – medium: business is affected.")``"""
    p = Priority(priority)
    return p.value, f"{p.label}: {p.meaning}."


def let_support_decide() -> tuple[str, str]:
    return "", f"Let support decide ({rules.DEFAULT_INCIDENT_PRIORITY})"


def _attachment_help() -> str:
    return (
        f"Logs and screenshots: {ALLOWED_DESCRIPTION}; at most "
        f"{filesizeformat(settings.ATTACHMENT_MAX_BYTES)} each."
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data if item]
        else:
            files = [single(data, initial)] if data else []
        validate_upload_set(files)
        return files


def attachments_field() -> MultipleFileField:
    return MultipleFileField(
        label="Attachments",
        help_text=lazy(_attachment_help, str)(),
    )


class TicketForm(forms.Form):
    tenant = forms.ModelChoiceField(
        queryset=None, empty_label="Choose a tenant", label="Affected tenant"
    )
    kind = forms.ChoiceField(
        choices=Ticket.Kind.choices,
        initial=Ticket.Kind.INCIDENT,
        widget=forms.RadioSelect,
        label="What do you need?",
        help_text="An incident is something broken or degraded; a service request asks for an agreed change (users, queues, a channel, a SIP trunk…).",
    )
    priority = forms.ChoiceField(
        choices=[],
        required=False,
        label="Priority (incidents)",
        help_text=lazy(
            lambda: (
                f"{rules.production_only_text()} are for incidents on production tenants "
                "only: a test tenant cannot take them."
            ),
            str,
        )(),
    )
    request_size = forms.ChoiceField(
        choices=[],
        required=False,
        label="Size of the request (service requests)",
    )
    # The subject becomes the subject of every email about the ticket: one line.
    subject = SingleLineCharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea, help_text="What happened, when, and what you expected."
    )
    reference_id = forms.CharField(
        label="Reference ID",
        max_length=100,
        required=False,
        help_text="A conversation, call or interaction ID that shows the problem.",
    )
    impact = forms.CharField(
        label="Steps and impact",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="How to reproduce it, and how many agents or customers are affected.",
    )
    attachments = attachments_field()

    def __init__(self, *args, tenants, priorities, minor_request_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.priorities = [Priority(p) for p in priorities]
        self.fields["priority"].choices = [let_support_decide()] + [
            priority_choice(p) for p in priorities
        ]
        days = f"{minor_request_days} business day{'s' if minor_request_days != 1 else ''}"
        self.fields["request_size"].choices = [
            (
                Ticket.RequestSize.MINOR,
                f"{Ticket.RequestSize.MINOR.label} (target delivery {days})",
            ),
            (Ticket.RequestSize.PLANNED, Ticket.RequestSize.PLANNED.label),
        ]
        self.fields["tenant"].queryset = tenants
        self.fields["tenant"].label_from_instance = lambda t: (
            f"{t.name} ({t.get_kind_display().lower()})"
        )
        self.tenant_kinds = {str(t.pk): t.kind for t in tenants}


class VersionForm(forms.Form):
    """Carries the version of the ticket the person saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class SeenVersionForm(forms.Form):
    """Carries the version of the ticket the person saw, without locking on it: a reply or a
    note is never refused because someone else wrote meanwhile. It only lets a refusal explain
    itself: had the ticket moved on (escalated away, say) since the page was drawn, the person
    is told so rather than refused bare. Never validated; compared as text."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)


class ReplyForm(SeenVersionForm):
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 5}))
    attachments = attachments_field()


class SupportReplyForm(ReplyForm):
    body = forms.CharField(
        label="Public reply to the customer", widget=forms.Textarea(attrs={"rows": 5})
    )
    next_update_at = PlausibleDateTimeField(
        label="Next update agreed with the customer (optional)",
        required=False,
        help_text="Leave empty to use the ongoing response target of the ticket's priority.",
    )


class NoteForm(SeenVersionForm):
    body = forms.CharField(
        label="Internal note (support only)", widget=forms.Textarea(attrs={"rows": 3})
    )
    attachments = attachments_field()


class ReasonForm(VersionForm):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(VersionForm):
    reason = forms.CharField(
        label="Reason (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class HandBackForm(ReasonForm):
    to_level = forms.ChoiceField(
        label="Hand back to",
        choices=[("", "The level below")] + SupportLevel.choices[:3],
        required=False,
    )


class WaitForm(VersionForm):
    message = forms.CharField(
        label="What do you need from the customer?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent to the customer. The ongoing-update and resolution clocks pause until they answer.",
    )


class ReclassifyForm(ReasonForm):
    priority = forms.ChoiceField(label="New priority")
    field_order = ["priority", "reason"]

    def __init__(self, *args, priorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = [priority_choice(p) for p in priorities]


class ResolveForm(VersionForm):
    resolution_type = forms.ChoiceField(
        label="Resolved with", choices=Ticket.ResolutionType.choices
    )
    summary = forms.CharField(
        label="Summary for the customer",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A resolution, a workaround or an action plan each meet the P1 resolution target.",
    )


class AssignForm(VersionForm):
    assignee = forms.ModelChoiceField(queryset=None, required=False, empty_label="Unassigned")

    def __init__(self, *args, engineers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = engineers
        self.fields["assignee"].label_from_instance = lambda u: f"{u.full_name} ({u.support_level})"


class AgreeDeliveryForm(VersionForm):
    delivery_at = PlausibleDateTimeField(
        label="Agreed delivery",
        help_text="The date and time agreed with the customer; it becomes the delivery target.",
    )
    note = forms.CharField(
        label="Note to the customer (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FollowUpForm(forms.Form):
    """ "This happened again": a closed ticket's problem came back."""

    description = forms.CharField(
        label="What happened this time?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A new ticket is filed for the same tenant and priority; it names this one, "
        "so support sees the history.",
    )
    attachments = attachments_field()

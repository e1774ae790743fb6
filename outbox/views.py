"""The support managers' view of mail that was not delivered, and their "retry now"."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from lib.pagination import BoundedPaginator

from .filters import UndeliveredFilter
from .models import OutgoingMail
from .selectors import undelivered_mail
from .services import outbox_retry
from .tables import UndeliveredTable


def _is_manager(user) -> bool:
    return user.is_authenticated and user.is_support_manager


class UndeliveredView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    template_name = "outbox/undelivered.html"
    table_class = UndeliveredTable
    filterset_class = UndeliveredFilter
    table_pagination = {"per_page": 50, "paginator_class": BoundedPaginator}
    raise_exception = True

    def has_permission(self) -> bool:
        return _is_manager(self.request.user)

    def get_queryset(self):
        return undelivered_mail()


class RetryForm(forms.Form):
    mail_id = forms.IntegerField(min_value=1)
    state = forms.CharField(required=False)


@require_POST
def retry(request: HttpRequest) -> HttpResponse:
    """Send one undelivered mail again now. The id travels in the form: mail belongs to no
    organisation, and only managers may act on it."""
    if not _is_manager(request.user):
        raise PermissionDenied("Only support managers can resend mail.")
    form = RetryForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a mail to send again.")
        return redirect("outbox:undelivered")
    if outbox_retry(mail_id=form.cleaned_data["mail_id"], actor=request.user, now=timezone.now()):
        messages.success(request, "The mail will be sent again in a moment.")
    else:
        messages.info(request, "That mail is being sent or was sent already.")
    # Back to the list as the manager filtered it.
    state = form.cleaned_data["state"]
    query = f"?{urlencode({'state': state})}" if state in OutgoingMail.State.values else ""
    return redirect(reverse("outbox:undelivered") + query)

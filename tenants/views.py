from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from lib.forms import add_service_error
from lib.pagination import BoundedPaginator

from . import services
from .access import contact_for_admin, scope_for_user
from .forms import ContactForm, PreferencesForm
from .models import User
from .preferences import mail_choices
from .tables import ContactTable


def _require_customer_admin(user) -> None:
    # Checked before the tenant gate: a plain contact gets the same 403 for every id, so the
    # answer tells them nothing about which contacts exist.
    if not user.is_customer_admin:
        raise PermissionDenied(
            "Only a main contact or a technical administrator can manage contacts."
        )


def contact_list(request):
    _require_customer_admin(request.user)
    queryset = scope_for_user(User.objects.all(), request.user)
    table = ContactTable(queryset)
    RequestConfig(
        request, paginate={"per_page": 25, "paginator_class": BoundedPaginator}
    ).configure(table)
    return render(request, "tenants/contact_list.html", {"table": table})


def contact_create(request):
    _require_customer_admin(request.user)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(
                actor=request.user,
                organisation_id=request.user.organisation_id,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"{contact.full_name} was added and will receive an email to set a password.",
            )
            return redirect("tenants:contact_list")
    return render(request, "tenants/contact_form.html", {"form": form, "creating": True})


def contact_edit(request, contact_id: int):
    _require_customer_admin(request.user)
    contact = contact_for_admin(request.user, contact_id)
    initial = {f: getattr(contact, f) for f in ("full_name", "email", "phone", "contact_role")}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(actor=request.user, contact=contact, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{contact.full_name} was updated.")
            return redirect("tenants:contact_list")
    return render(request, "tenants/contact_form.html", {"form": form, "contact": contact})


@require_POST
def contact_set_active(request, contact_id: int):
    _require_customer_admin(request.user)
    contact = contact_for_admin(request.user, contact_id)
    active = request.POST.get("active") == "1"
    try:
        services.contact_set_active(actor=request.user, contact=contact, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        verb = "reactivated" if active else "deactivated; their sessions have ended"
        messages.success(request, f"{contact.full_name} was {verb}.")
    return redirect("tenants:contact_edit", contact_id=contact.pk)


def preferences(request):
    """The signed-in person's own time zone and mail choices."""
    person = request.user
    choices = [str(kind) for kind in mail_choices(person)]
    initial = {
        "time_zone": person.time_zone or settings.TIME_ZONE,
        "mail": [kind for kind in choices if kind not in (person.quiet_mail or [])],
    }
    form = PreferencesForm(request.POST or None, initial=initial, person=person)
    if request.method == "POST" and form.is_valid():
        wanted = set(form.cleaned_data["mail"])
        try:
            services.person_set_preferences(
                person=person,
                time_zone=form.cleaned_data["time_zone"],
                quiet_mail=[kind for kind in choices if kind not in wanted],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Your preferences were saved.")
            return redirect("preferences")
    status = 400 if request.method == "POST" else 200
    return render(request, "tenants/preferences.html", {"form": form}, status=status)

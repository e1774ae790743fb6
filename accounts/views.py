"""Sign-in security pages: Django's auth views with the portal's checks, two-factor set-up and
verification, a person's own security page, and the managers' lockout and device resets."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login

from audit.context import origin_of
from audit.models import AuditAction
from audit.services import audit_record
from lib.forms import add_service_error

from . import ratelimit, services
from .forms import (
    CodeForm,
    EnrolForm,
    LockoutEndForm,
    PortalPasswordResetForm,
    SecondFactorResetForm,
)

SETUP_KEY = "_mfa_setup_key"
LOCKED_OUT_MESSAGE = (
    "Too many failed sign-ins for this account: it is locked for {minutes} minutes. Try again "
    "later, reset your password, or ask a support manager to end the lockout."
)


# --- sign-in and passwords -----------------------------------------------------------------


def locked_out(request, response=None, credentials=None, *args, **kwargs):
    """django-axes' answer to a sign-in of a locked account (``AXES_LOCKOUT_CALLABLE``): the
    sign-in page again, with the reason, as 429 Too Many Requests."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": str(username)[:254]})
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"form": form, "lockout_message": LOCKED_OUT_MESSAGE.format(minutes=minutes)}
    return render(request, "registration/login.html", context, status=429)


class PasswordResetView(auth_views.PasswordResetView):
    """Reset emails are rate-limited per address and per client, so the form can neither flood
    someone's inbox nor be used to send mail in bulk."""

    form_class = PortalPasswordResetForm

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        client = origin_of(self.request).ip_address or "unknown"
        window = settings.PASSWORD_RESET_WINDOW_SECONDS
        client_ok = ratelimit.hit(
            "password-reset-client",
            client,
            limit=settings.PASSWORD_RESET_LIMIT_PER_CLIENT,
            window_seconds=window,
        )
        address_ok = client_ok and ratelimit.hit(
            "password-reset-address",
            email,
            limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
            window_seconds=window,
        )
        if not address_ok:
            audit_record(
                action=AuditAction.PASSWORD_RESET_REFUSED,
                target_label=email.lower(),
                request=self.request,
                per="client" if not client_ok else "address",
            )
            form.add_error(
                None,
                ValidationError(
                    "Too many reset requests. Check your inbox for the link already sent, or "
                    f"try again in {window // 60} minutes.",
                    code="too_many_resets",
                ),
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        audit_record(
            action=AuditAction.PASSWORD_RESET_REQUESTED,
            target_label=email.lower(),
            request=self.request,
        )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        audit_record(action=AuditAction.PASSWORD_RESET, actor=user, target=user)
        services.sessions_end(user=user, reason="password reset")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        # Django keeps this session signed in (update_session_auth_hash); every other one ends.
        response = super().form_valid(form)
        user = form.user
        audit_record(action=AuditAction.PASSWORD_CHANGED, actor=user, target=user)
        services.sessions_end(
            user=user, keep_session_key=self.request.session.session_key, reason="password changed"
        )
        return response


# --- second factor -------------------------------------------------------------------------


def _next_url(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) and target.startswith("/"):
        return target
    return reverse(default)


def _signed_in_with(request, device) -> None:
    otp_login(request, device)
    # A new session id once the second factor is in: an id seen before (a fixed or leaked
    # one) never reaches the fully signed-in state.
    request.session.cycle_key()


def mfa_verify(request):
    user = request.user
    if not services.has_authenticator(user):
        return redirect("accounts:mfa_setup")
    form = CodeForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        device = services.second_factor_verify(user=user, token=form.cleaned_data["token"])
        if device is not None:
            _signed_in_with(request, device)
            return redirect(_next_url(request))
        until = services.throttled_until(user)
        message = "That code does not match."
        if until is not None:
            message += " Wait a few seconds before the next try."
        form.add_error("token", ValidationError(message, code="wrong_code"))
    return render(
        request,
        "accounts/mfa_verify.html",
        {"form": form, "next": _next_url(request)},
        status=status,
    )


def mfa_setup(request):
    """Set up an authenticator app: scan the code (or type the key), then enter a code."""
    user = request.user
    if services.has_authenticator(user) and not user.is_verified():
        # Only a person who has given their current second factor may replace it.
        return redirect(f"{reverse('accounts:mfa_verify')}?next={reverse('accounts:mfa_setup')}")
    key = request.session.get(SETUP_KEY)
    if not key:
        key = request.session[SETUP_KEY] = services.new_authenticator_key()
    form = EnrolForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.authenticator_enrol(
                user=user,
                key_hex=key,
                token=form.cleaned_data["token"],
                session_key=request.session.session_key,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            status = 400
        else:
            del request.session[SETUP_KEY]
            _signed_in_with(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "first_time": True, "next": _next_url(request)},
            )
    elif request.method == "POST":
        status = 400
    uri = services.authenticator_uri(user=user, key_hex=key)
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr_svg": segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff"),
            "readable_key": services.readable_key(key),
            "required": services.mfa_required(user),
            "next": _next_url(request),
        },
        status=status,
    )


@require_GET
def security(request):
    """A person's own sign-in security: two-factor state, recovery codes, other sessions."""
    user = request.user
    from .models import Session

    context = {
        "has_authenticator": services.has_authenticator(user),
        "required": services.mfa_required(user),
        "remove_form": CodeForm(),
        "other_sessions": Session.objects.filter(user=user)
        .exclude(session_key=request.session.session_key)
        .count(),
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        "absolute_hours": settings.SESSION_ABSOLUTE_LIFETIME_SECONDS // 3600,
    }
    return render(request, "accounts/security.html", context)


@require_POST
def recovery_codes_renew(request):
    try:
        codes = services.recovery_codes_renew(user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:security")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "first_time": False})


@require_POST
def mfa_remove(request):
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            services.second_factor_remove(
                user=request.user,
                token=form.cleaned_data["token"],
                session_key=request.session.session_key,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Two-factor sign-in is off for your account.")
    else:
        messages.error(request, "Enter a code from your authenticator app to turn it off.")
    return redirect("accounts:security")


@require_POST
def sessions_end_others(request):
    count = services.sessions_end(
        user=request.user,
        keep_session_key=request.session.session_key,
        reason="signed out elsewhere by the person",
    )
    messages.success(request, f"Signed out of {count} other session{'s' if count != 1 else ''}.")
    return redirect("accounts:security")


# --- managers ------------------------------------------------------------------------------


def _require_security_manager(user) -> None:
    if not services.can_manage_security(user):
        raise PermissionDenied("Only support managers can manage lockouts and authenticators.")


@require_GET
def manage(request):
    return _manage_page(request)


def _manage_page(request, *, reset_form=None, status: int = 200):
    """Managers: accounts locked out now, and resetting a lost authenticator."""
    _require_security_manager(request.user)
    context = {
        "lockouts": services.current_lockouts(),
        "reset_form": reset_form or SecondFactorResetForm(actor=request.user),
    }
    return render(request, "accounts/manage.html", context, status=status)


@require_POST
def lockout_end(request):
    _require_security_manager(request.user)
    form = LockoutEndForm(request.POST)
    if not form.is_valid():
        raise Http404("No such lockout.")
    try:
        services.lockout_end(actor=request.user, username=form.cleaned_data["username"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The lockout of {form.cleaned_data['username']} has ended.")
    return redirect("accounts:manage")


@require_POST
def mfa_reset(request):
    _require_security_manager(request.user)
    form = SecondFactorResetForm(request.POST, actor=request.user)
    if form.is_valid():
        person = form.cleaned_data["person"]
        try:
            services.second_factor_reset(actor=request.user, user=person)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, f"The authenticator of {person.email} was reset; their sessions ended."
            )
            return redirect("accounts:manage")
    return _manage_page(request, reset_form=form, status=400)

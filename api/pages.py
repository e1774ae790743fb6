"""The integration pages. Access: ``access`` (customer admins: their organisation's keys and
webhooks; support managers: staff keys); objects of another organisation are a 404."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django_tables2 import RequestConfig

from lib.forms import add_service_error
from lib.pagination import BoundedPaginator

from . import access, services
from .forms import ApiKeyForm, WebhookForm
from .models import WebhookDelivery
from .tables import ApiKeyTable, DeliveryTable, EndpointTable


def _require_any_manager(user) -> None:
    if not (access.may_manage_keys(user) or access.may_manage_webhooks(user)):
        raise PermissionDenied(
            "API keys and webhooks are managed by a customer admin (main contact or technical "
            "administrator), and staff keys by a support manager."
        )


def _paginate(request, table, per_page: int = 25):
    RequestConfig(
        request, paginate={"per_page": per_page, "paginator_class": BoundedPaginator}
    ).configure(table)
    return table


@require_safe
def index(request):
    user = request.user
    _require_any_manager(user)
    keys = _paginate(request, ApiKeyTable(access.keys_for(user), prefix="keys-"))
    endpoints = None
    if access.may_manage_webhooks(user):
        latest = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by(
            "-created_at", "-pk"
        )
        rows = access.endpoints_for(user).annotate(
            last_state=Subquery(latest.values("state")[:1]),
            last_status_code=Subquery(latest.values("last_status_code")[:1]),
        )
        endpoints = _paginate(request, EndpointTable(rows, prefix="hooks-"))
    return render(
        request,
        "api/index.html",
        {
            "keys": keys,
            "endpoints": endpoints,
            "staff_keys": not user.is_customer,
            "docs_url": reverse("api:docs"),
            "schema_url": reverse("api:schema"),
        },
    )


def key_create(request):
    user = request.user
    access.require_key_manager(user)
    form = ApiKeyForm(
        request.POST or None, holders=access.key_holders_for(user), initial={"holder": user.pk}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            key, secret = services.api_key_create(
                actor=user, holder_id=data["holder"].pk, name=data["name"], scope=data["scope"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            # Shown on this answer only: never stored, never put in a message or a redirect.
            return render(request, "api/key_created.html", {"key": key, "secret": secret})
    status = 400 if request.method == "POST" else 200
    return render(request, "api/key_form.html", {"form": form}, status=status)


@require_POST
def key_revoke(request, key_id: int):
    key = access.key_for_manager(request.user, key_id)
    if services.api_key_revoke(actor=request.user, key=key):
        messages.success(
            request, f"The key {key.prefix} “{key.name}” was revoked; it no longer works."
        )
    else:
        messages.info(request, f"The key {key.prefix} was already revoked.")
    return redirect("integrations:index")


def webhook_create(request):
    user = request.user
    access.require_webhook_manager(user)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint, secret = services.webhook_endpoint_create(
                actor=user,
                url=data["url"],
                description=data["description"],
                event_types=data["event_types"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return render(
                request, "api/webhook_created.html", {"endpoint": endpoint, "secret": secret}
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "api/webhook_form.html", {"form": form}, status=status)


@require_safe
def webhook_detail(request, endpoint_id: int):
    endpoint = access.endpoint_for_manager(request.user, endpoint_id)
    deliveries = endpoint.deliveries.select_related("event")
    table = _paginate(request, DeliveryTable(deliveries))
    context = {
        "endpoint": endpoint,
        "table": table,
        "retry_base": settings.WEBHOOK_RETRY_BASE_SECONDS,
        "retry_max": settings.WEBHOOK_RETRY_MAX_SECONDS // 60,
        "attempts": settings.WEBHOOK_MAX_ATTEMPTS,
    }
    return render(request, "api/webhook_detail.html", context)


@require_POST
def webhook_set_active(request, endpoint_id: int):
    endpoint = access.endpoint_for_manager(request.user, endpoint_id)
    active = request.POST.get("active") == "1"
    services.webhook_endpoint_set_active(actor=request.user, endpoint=endpoint, active=active)
    messages.success(
        request,
        "The webhook is on again."
        if active
        else "The webhook is off: nothing more is sent to it until you switch it on.",
    )
    return redirect("integrations:webhook_detail", endpoint_id=endpoint.pk)


@require_POST
def webhook_ping(request, endpoint_id: int):
    endpoint = access.endpoint_for_manager(request.user, endpoint_id)
    try:
        services.webhook_ping(actor=request.user, endpoint=endpoint)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "A test event is on its way; its delivery is listed below.")
    return redirect("integrations:webhook_detail", endpoint_id=endpoint.pk)


@require_POST
def delivery_retry(request, endpoint_id: int, delivery_id: int):
    delivery = access.delivery_for_manager(request.user, endpoint_id, delivery_id)
    try:
        retried = services.webhook_delivery_retry(actor=request.user, delivery=delivery)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        if retried:
            messages.success(request, "The delivery will be sent again shortly.")
        else:
            messages.info(request, "That delivery is being sent or was delivered meanwhile.")
    return redirect("integrations:webhook_detail", endpoint_id=delivery.endpoint_id)

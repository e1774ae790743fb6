"""The API's views. Each one reads through the tenant gate and the tickets app's selectors,
writes through its services, and asks ``tickets.permissions``, exactly as the pages do; the
ladder actions run the page's own registry (``tickets.views.ACTIONS``)."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from tenants.access import scope_for_user
from tenants.models import Tenant, User
from tickets import permissions, selectors, services
from tickets.attachments import validate_upload_set
from tickets.queue.filters import QueueFilter
from tickets.queue.selectors import queue_tickets, with_default_filters
from tickets.views import ACTIONS as PAGE_ACTIONS

from . import idempotency, serializers
from .authentication import via
from .filters import TicketFilter
from .pagination import Key, KeysetPagination, QueuePagination, TicketPagination
from .problems import Problem, problem

NO_STORE = "private, no-store"
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    idempotency.HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string (a UUID): a retry with the same key and body gets the first "
    "answer again; with another body, a 422 problem.",
)


class ApiView(GenericAPIView):
    """Key-authenticated, JSON, never cached. Django's sign-in redirect does not apply: DRF
    answers 401 itself."""

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.check_query(request)

    def query_names(self) -> set[str]:
        """The query parameters this view reads: its filters and its paging."""
        names = set()
        if getattr(self, "filterset_class", None) is not None:
            names |= set(self.filterset_class.base_filters)
        if getattr(self, "pagination_class", None) is not None:
            paginator = self.pagination_class
            names |= {paginator.cursor_query_param, paginator.page_size_query_param}
        return names if self.request.method in ("GET", "HEAD") else set()

    def check_query(self, request) -> None:
        """Refuse query parameters the view does not read, and empty ones: a misspelt filter
        should say so rather than quietly return everything."""
        if not hasattr(self, request.method.lower()):
            return  # DRF answers 405 for a method the view does not have
        allowed = self.query_names()
        errors = {}
        for name, values in request.query_params.lists():
            if name not in allowed:
                errors[name] = [{"code": "unknown_parameter", "message": "Not a parameter here."}]
            elif any(value == "" for value in values):
                errors[name] = [{"code": "blank", "message": "Leave it out instead of empty."}]
        if errors:
            detail = " ".join(f"{name}: {e[0]['message']}" for name, e in errors.items())
            raise Problem(400, "invalid_parameter", detail, errors)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = NO_STORE
        return response

    def write(self, request, act: Callable[[], Response]) -> Response:
        """Run ``act`` in one transaction, its timeline events naming the key."""
        with via(request.auth), transaction.atomic():
            return act()

    def ticket(self, ticket_id):
        return selectors.ticket_for_user(self.request.user, ticket_id)

    def detail(self, ticket, *, status_code: int = status.HTTP_200_OK) -> Response:
        user = self.request.user
        ticket.api_timeline = list(selectors.timeline_for_user(ticket, user))
        ticket.api_targets = list(selectors.targets_for(ticket))
        ticket.api_actions = permissions.available_actions(user, ticket)
        data = serializers.TicketDetailSerializer(ticket, context={"request": self.request}).data
        return Response(data, status=status_code)


def _refuse_early(action: str, user, ticket) -> None:
    """Refuse someone who may not do ``action`` at all before reading the body, as the page
    does; refusals of the ticket's state come from the service with the rest."""
    verdict = permissions.verdict(action, user, ticket)
    if not verdict and verdict.forbidden:
        permissions.require(verdict)


def _require_staff(user) -> None:
    verdict = permissions.is_support(user)
    permissions.require(verdict)


# --- tickets -----------------------------------------------------------------------------------


class TicketListView(ApiView):
    pagination_class = TicketPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = TicketFilter
    serializer_class = serializers.TicketSerializer

    def get_queryset(self):
        return selectors.tickets_for_user(self.request.user)

    @extend_schema(
        summary="Your organisation's tickets",
        description="Newest first; support staff keys see every organisation's.",
        operation_id="tickets_list",
        responses=serializers.TicketSerializer(many=True),
    )
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        data = serializers.TicketSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="File a ticket",
        description="An incident or a service request for one of your organisation's tenants, "
        "with attachments as multipart/form-data. The rules and messages are the page's: P1 "
        "and P2 only for incidents on production tenants (code p1_needs_production).",
        request={
            "application/json": serializers.TicketCreateSerializer,
            "multipart/form-data": serializers.TicketCreateSerializer,
        },
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: serializers.TicketDetailSerializer},
        operation_id="tickets_create",
    )
    def post(self, request):
        body = serializers.TicketCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        files = list(data.get("attachments") or [])
        _check_upload_set(files)
        user = request.user
        tenant = scope_for_user(Tenant.objects.filter(name=data["tenant"]), user).first()

        def act() -> Response:
            ticket = services.ticket_create(
                submitter=user,
                # An unknown name is refused by the service with the page's message.
                tenant_id=tenant.pk if tenant else 0,
                kind=data["kind"],
                priority=data["priority"],
                request_size=data["request_size"],
                subject=data["subject"],
                description=data["description"],
                reference_id=data["reference_id"],
                impact=data["impact"],
                attachments=files,
            )
            response = self.detail(self.ticket(ticket.pk), status_code=status.HTTP_201_CREATED)
            response["Location"] = request.build_absolute_uri(
                reverse("api:ticket_detail", args=[ticket.pk])
            )
            return response

        return self.write(request, lambda: idempotency.run_once(request, _plain(request.data), act))


def _plain(data) -> dict:
    if hasattr(data, "lists"):
        return {k: v if len(v) > 1 else v[0] for k, v in data.lists()}
    return dict(data)


def _check_upload_set(files) -> None:
    try:
        validate_upload_set(files)
    except ValidationError as exc:
        raise ValidationError({"attachments": exc.error_list}) from None


class TicketDetailView(ApiView):
    serializer_class = serializers.TicketDetailSerializer

    @extend_schema(
        summary="One ticket",
        description="With its timeline (customers see the public events), SLA targets and the "
        "actions this key's person may take now.",
        operation_id="tickets_retrieve",
    )
    def get(self, request, ticket_id: int):
        return self.detail(self.ticket(ticket_id))


class TicketReplyView(ApiView):
    serializer_class = serializers.ReplySerializer

    @extend_schema(
        summary="Reply",
        description="A customer's reply (it resumes a ticket waiting for them), or support's "
        "public reply (it meets the initial response and the update cycle).",
        request={
            "application/json": serializers.ReplySerializer,
            "multipart/form-data": serializers.ReplySerializer,
        },
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: serializers.TimelineEventSerializer},
    )
    def post(self, request, ticket_id: int):
        ticket = self.ticket(ticket_id)
        user = request.user
        _refuse_early("customer_reply" if user.is_customer else "reply", user, ticket)
        body = serializers.ReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        files = list(data.get("attachments") or [])
        _check_upload_set(files)

        def act() -> Response:
            if user.is_customer:
                event = services.ticket_customer_reply(
                    ticket=ticket, author=user, body=data["body"], attachments=files
                )
            else:
                event = services.ticket_reply(
                    ticket=ticket,
                    author=user,
                    body=data["body"],
                    attachments=files,
                    next_update_at=data.get("next_update_at"),
                )
            return _event_response(request, event)

        return self.write(request, lambda: idempotency.run_once(request, _plain(request.data), act))


def _event_response(request, event) -> Response:
    fresh = selectors.timeline_for_user(event.ticket, request.user).get(pk=event.pk)
    data = serializers.TimelineEventSerializer(fresh, context={"request": request}).data
    return Response(data, status=status.HTTP_201_CREATED)


class TicketNoteView(ApiView):
    serializer_class = serializers.NoteSerializer

    @extend_schema(
        summary="Internal note (support)",
        request={
            "application/json": serializers.NoteSerializer,
            "multipart/form-data": serializers.NoteSerializer,
        },
        responses={201: serializers.TimelineEventSerializer},
    )
    def post(self, request, ticket_id: int):
        ticket = self.ticket(ticket_id)
        _refuse_early("note", request.user, ticket)
        body = serializers.NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        files = list(body.validated_data.get("attachments") or [])
        _check_upload_set(files)

        def act() -> Response:
            event = services.ticket_add_note(
                ticket=ticket,
                author=request.user,
                body=body.validated_data["body"],
                attachments=files,
            )
            return _event_response(request, event)

        return self.write(request, act)


# The ladder and status actions: the page's registry runs them, with the same data its forms
# produce; these serializers only describe and check the JSON.
ACTION_SERIALIZERS = {
    "take": (serializers.VersionSerializer, "Take the ticket (engineers, at its level)"),
    "assign": (serializers.AssignSerializer, "Assign to an engineer of its level (managers)"),
    "reclassify": (serializers.ReclassifySerializer, "Change the priority, with a reason"),
    "agree_delivery": (
        serializers.AgreeDeliverySerializer,
        "Agree the delivery date of a service request",
    ),
    "escalate": (serializers.ReasonSerializer, "Escalate to the next level, with a reason"),
    "hand_back": (serializers.HandBackSerializer, "Hand back down, with a reason"),
    "confirm_product_defect": (
        serializers.ReasonSerializer,
        "Confirm a product defect (L4)",
    ),
    "wait_for_customer": (
        serializers.WaitSerializer,
        "Ask the customer and wait (pauses the clocks)",
    ),
    "resume": (serializers.VersionSerializer, "Resume work"),
    "resolve": (serializers.ResolveSerializer, "Resolve with a resolution, workaround or plan"),
    "close": (serializers.VersionSerializer, "Close a resolved ticket (support)"),
    "confirm": (serializers.VersionSerializer, "Confirm the resolution (customers)"),
    "reopen": (serializers.ReasonSerializer, "Reopen a resolved ticket (customers)"),
    "withdraw": (
        serializers.OptionalReasonSerializer,
        "Withdraw the ticket (the customer who filed it)",
    ),
}


class TicketActionView(ApiView):
    action_name = ""

    def post(self, request, ticket_id: int):
        name = self.action_name
        ticket = self.ticket(ticket_id)
        user = request.user
        verdict = permissions.verdict(name, user, ticket)
        if not verdict and verdict.forbidden:
            # As the page: refused because the ticket moved on since the version the caller
            # saw (escalated away, say)? Then say that, as the service would.
            if _posted_version(request) not in ("", str(ticket.version)):
                raise services.TicketChanged(ticket)
            permissions.require(verdict)
        body = self.serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if name == "assign":
            data["assignee"] = _assignee(data["assignee"])

        def act() -> Response:
            PAGE_ACTIONS[name].run(ticket, user, data)
            return self.detail(self.ticket(ticket.pk))

        return self.write(request, act)


def _posted_version(request) -> str:
    try:
        data = request.data
    except (exceptions.ParseError, exceptions.UnsupportedMediaType):
        return ""
    return str(data.get("version", "")) if hasattr(data, "get") else ""


def _assignee(pk: int | None) -> User | None:
    if pk is None:
        return None
    # An id that names nobody is a person who cannot take tickets: the service refuses it with
    # the page's message (not_engineer).
    return User.objects.filter(pk=pk).first() or User(pk=pk, is_active=False)


def action_view(name: str):
    serializer, summary = ACTION_SERIALIZERS[name]
    view = type(
        f"Ticket{name.title().replace('_', '')}View",
        (TicketActionView,),
        {"action_name": name, "serializer_class": serializer},
    )

    def post(self, request, ticket_id: int):
        return TicketActionView.post(self, request, ticket_id)

    view.post = extend_schema(
        summary=summary,
        operation_id=f"tickets_{name}",
        request=serializer,
        responses={200: serializers.TicketDetailSerializer},
    )(post)
    return view.as_view()


class AnyRenderer(BaseRenderer):
    """Lets a download be asked for with any Accept header; the file answers itself."""

    media_type = "*/*"
    format = "bin"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class AttachmentView(ApiView):
    renderer_classes = [JSONRenderer, AnyRenderer]

    @extend_schema(
        summary="Download an attachment",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file."
            )
        },
    )
    def get(self, request, ticket_id: int, attachment_id: int):
        attachment = selectors.attachment_for_user(request.user, ticket_id, attachment_id)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404("The file is no longer available.") from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type="application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- the queue, tenants, the key itself -------------------------------------------------------


class QueueFilterBackend(DjangoFilterBackend):
    """The queue page's filters, with its defaults (an engineer's own level) and one instant."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["data"] = with_default_filters(
            request.query_params, request.user, QueueFilter.base_filters
        )
        kwargs["user"] = request.user
        kwargs["now"] = view.now
        return kwargs


class QueueView(ApiView):
    pagination_class = QueuePagination
    filter_backends = [QueueFilterBackend]
    filterset_class = QueueFilter
    serializer_class = serializers.QueueRowSerializer

    def get_queryset(self):
        return queue_tickets(self.request.user)

    @extend_schema(
        summary="The queue (support)",
        description="Open tickets in the page's order (most urgent SLA deadline first) with its "
        "filters; an engineer's key sees their level unless it names a filter.",
        responses=serializers.QueueRowSerializer(many=True),
    )
    def get(self, request):
        _require_staff(request.user)
        self.now = timezone.now()
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = serializers.QueueRowSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)


class TenantPagination(KeysetPagination):
    keys = (Key("id"),)


class TenantListView(ApiView):
    pagination_class = TenantPagination
    serializer_class = serializers.TenantSerializer

    @extend_schema(
        summary="Your organisation's tenants",
        responses=serializers.TenantSerializer(many=True),
    )
    def get(self, request):
        tenants = scope_for_user(Tenant.objects.all(), request.user)
        page = self.paginate_queryset(tenants)
        return self.get_paginated_response(serializers.TenantSerializer(page, many=True).data)


class MeView(ApiView):
    serializer_class = serializers.MeSerializer

    @extend_schema(summary="The key you are using, and whom it acts as")
    def get(self, request):
        return Response(serializers.MeSerializer(request.auth).data)


@login_not_required
@csrf_exempt
def not_found(request, path: str = ""):
    """Any other address under /api/v1/: a problem, not the pages' HTML 404."""
    body = problem(404, "not_found", "There is no such address in the API.")
    return JsonResponse(
        body,
        status=404,
        content_type="application/problem+json",
        headers={"Cache-Control": NO_STORE},
    )

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from audit.exports import AuditedCsvExportMixin
from lib.forms import add_service_error
from lib.pagination import BoundedPaginator
from lib.urls import reverse_each
from sla.deadlines import Clock
from sla.hours import business_hours_for
from sla.services import calendar_for, priorities_of
from tenants.access import scope_for_user
from tenants.models import Tenant

from . import forms, permissions, rules, selectors, services
from .back import back_link, remember_list
from .conversation import conversation
from .filters import CustomerTicketFilter
from .models import Ticket
from .sla_box import customer_lines, staff_rows
from .tables import CustomerTicketTable


class TicketListView(AuditedCsvExportMixin, SingleTableMixin, FilterView):
    """The organisation's tickets for a customer (support staff see all of them), with a CSV
    export of the filtered list."""

    table_class = CustomerTicketTable
    filterset_class = CustomerTicketFilter
    template_name = "tickets/ticket_list.html"
    table_pagination = {"per_page": 25, "paginator_class": BoundedPaginator}
    export_name = "tickets"

    def get_table_pagination(self, table):
        # The export is the whole filtered list, not the page on screen.
        if self.export_class.is_valid_format(self.request.GET.get(self.export_trigger_param)):
            return False
        return super().get_table_pagination(table)

    def get_queryset(self):
        return selectors.tickets_for_user(self.request.user)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.export_class.is_valid_format(request.GET.get(self.export_trigger_param)):
            remember_list(request, response, "tickets")
        return response

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["user"] = self.request.user
        return kwargs


def ticket_create(request):
    user = request.user
    if not user.is_customer:
        raise PermissionDenied("Tickets are filed by customer contacts.")
    tenants = scope_for_user(Tenant.objects.all(), user).order_by("name")
    policy = user.organisation.sla_policy
    form = forms.TicketForm(
        request.POST or None,
        request.FILES or None,
        tenants=tenants,
        priorities=priorities_of(policy),
        minor_request_days=policy.minor_request_delivery_days,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                submitter=user,
                tenant_id=data["tenant"].pk,
                kind=data["kind"],
                priority=data["priority"],
                request_size=data["request_size"]
                if data["kind"] == Ticket.Kind.SERVICE_REQUEST
                else "",
                subject=data["subject"],
                description=data["description"],
                reference_id=data["reference_id"],
                impact=data["impact"],
                attachments=data["attachments"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, f"Ticket {ticket.number} was submitted. We will answer within its SLA."
            )
            return redirect("tickets:detail", ticket_id=ticket.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "tickets/ticket_form.html",
        {
            "form": form,
            "has_tenants": tenants.exists(),
            "production_only": rules.production_only_text(),
            "priority_rule": {
                "restricted": sorted(rules.PRODUCTION_ONLY_PRIORITIES),
                "refusal": rules.production_only_refusal(priorities_of(policy)),
            },
        },
        status=status,
    )


@dataclass(frozen=True)
class Action:
    """One thing a person can do on a ticket page: a form and the service that does it."""

    label: str
    form: Callable
    run: Callable
    done: str
    danger: bool = False
    # The action makes another ticket (a follow-up), which the person is taken to.
    opens_result: bool = False


def _files(data):
    return data.get("attachments") or []


ACTIONS: dict[str, Action] = {
    "reply": Action(
        "Send reply",
        forms.SupportReplyForm,
        lambda t, u, d: services.ticket_reply(
            ticket=t,
            author=u,
            body=d["body"],
            attachments=_files(d),
            next_update_at=d.get("next_update_at"),
        ),
        "Your reply was sent to the customer.",
    ),
    "customer_reply": Action(
        "Send reply",
        forms.ReplyForm,
        lambda t, u, d: services.ticket_customer_reply(
            ticket=t, author=u, body=d["body"], attachments=_files(d)
        ),
        "Your reply was added to the ticket.",
    ),
    "note": Action(
        "Add note",
        forms.NoteForm,
        lambda t, u, d: services.ticket_add_note(
            ticket=t, author=u, body=d["body"], attachments=_files(d)
        ),
        "Internal note added.",
    ),
    "take": Action(
        "Take this ticket",
        forms.VersionForm,
        lambda t, u, d: services.ticket_take(ticket=t, actor=u, version=d["version"]),
        "The ticket is yours.",
    ),
    "assign": Action(
        "Assign",
        forms.AssignForm,
        lambda t, u, d: services.ticket_assign(
            ticket=t, actor=u, assignee=d["assignee"], version=d["version"]
        ),
        "Assignment saved.",
    ),
    "reclassify": Action(
        "Change priority",
        forms.ReclassifyForm,
        lambda t, u, d: services.ticket_reclassify(
            ticket=t, actor=u, priority=d["priority"], reason=d["reason"], version=d["version"]
        ),
        "Priority changed; SLA targets were measured again.",
    ),
    "agree_delivery": Action(
        "Agree the delivery date",
        forms.AgreeDeliveryForm,
        lambda t, u, d: services.ticket_agree_delivery(
            ticket=t, actor=u, delivery_at=d["delivery_at"], note=d["note"], version=d["version"]
        ),
        "Delivery date agreed; the customer was told.",
    ),
    "escalate": Action(
        "Escalate to the next level",
        forms.ReasonForm,
        lambda t, u, d: services.ticket_escalate(
            ticket=t, actor=u, reason=d["reason"], version=d["version"]
        ),
        "Ticket escalated.",
    ),
    "hand_back": Action(
        "Hand back down",
        forms.HandBackForm,
        lambda t, u, d: services.ticket_hand_back(
            ticket=t, actor=u, reason=d["reason"], to_level=d.get("to_level"), version=d["version"]
        ),
        "Ticket handed back.",
    ),
    "confirm_product_defect": Action(
        "Confirm product defect",
        forms.ReasonForm,
        lambda t, u, d: services.ticket_confirm_defect(
            ticket=t, actor=u, reason=d["reason"], version=d["version"]
        ),
        "Product defect confirmed; the ongoing-update target follows the defect rule.",
    ),
    "wait_for_customer": Action(
        "Ask the customer and wait",
        forms.WaitForm,
        lambda t, u, d: services.ticket_wait_for_customer(
            ticket=t, actor=u, message=d["message"], version=d["version"]
        ),
        "The customer was asked; the clocks are paused.",
    ),
    "resume": Action(
        "Resume work",
        forms.VersionForm,
        lambda t, u, d: services.ticket_resume(ticket=t, actor=u, version=d["version"]),
        "Work resumed; the clocks run again.",
    ),
    "resolve": Action(
        "Resolve",
        forms.ResolveForm,
        lambda t, u, d: services.ticket_resolve(
            ticket=t,
            actor=u,
            resolution_type=d["resolution_type"],
            summary=d["summary"],
            version=d["version"],
        ),
        "Ticket resolved; the customer was told.",
    ),
    "close": Action(
        "Close",
        forms.VersionForm,
        lambda t, u, d: services.ticket_close(ticket=t, actor=u, version=d["version"]),
        "Ticket closed.",
    ),
    "confirm": Action(
        "Confirm the resolution",
        forms.VersionForm,
        lambda t, u, d: services.ticket_confirm(ticket=t, actor=u, version=d["version"]),
        "Thank you: the ticket is closed.",
    ),
    "reopen": Action(
        "Reopen",
        forms.ReasonForm,
        lambda t, u, d: services.ticket_reopen(
            ticket=t, actor=u, reason=d["reason"], version=d["version"]
        ),
        "The ticket was reopened; support will update you.",
    ),
    "follow_up": Action(
        "File a follow-up ticket",
        forms.FollowUpForm,
        lambda t, u, d: services.ticket_follow_up(
            ticket=t, submitter=u, description=d["description"], attachments=_files(d)
        ),
        "Your follow-up ticket was filed; it names the earlier one.",
        opens_result=True,
    ),
    "withdraw": Action(
        "Withdraw this ticket",
        forms.OptionalReasonForm,
        lambda t, u, d: services.ticket_withdraw(
            ticket=t, actor=u, reason=d["reason"], version=d["version"]
        ),
        "The ticket was withdrawn.",
        danger=True,
    ),
}


def _available_actions(ticket: Ticket, user) -> list[str]:
    """The actions the page offers: exactly those ``permissions`` allows ``user`` now."""
    allowed = set(permissions.available_actions(user, ticket))
    return [name for name in ACTIONS if name in allowed]


def _form_for(name: str, ticket: Ticket, data=None, files=None):
    action = ACTIONS[name]
    kwargs = {}
    if name == "assign":
        kwargs["engineers"] = selectors.engineers_for_assignment(ticket)
    if name == "reclassify":
        kwargs["priorities"] = priorities_of(ticket.organisation.sla_policy)
    initial = {"version": ticket.version}
    if name == "assign":
        initial["assignee"] = ticket.assignee_id
    if name == "reclassify":
        initial["priority"] = ticket.priority
    form = action.form(data, files, initial=initial, prefix=name, **kwargs)
    if name == "reopen":
        # Asked beside "Is the problem solved?": the reason is what is still wrong.
        form.fields["reason"].label = "What is still wrong?"
    return form


# The customer's next step, shown open at the top of the page rather than among the folded
# actions: answer support's question, confirm or reopen a resolution, report that the problem
# came back. For support staff, taking the ticket is one click at the top.
NEXT_STEPS = {
    Ticket.Status.WAITING: ("customer_reply",),
    Ticket.Status.RESOLVED: ("confirm", "reopen"),
    Ticket.Status.CLOSED: ("follow_up",),
}
STAFF_NEXT_STEPS = ("take",)


def _render_detail(
    request, ticket: Ticket, *, failed: tuple[str, object] | None = None, status: int = 200
):
    user = request.user
    staff = user.is_support_staff
    names = _available_actions(ticket, user)
    first = STAFF_NEXT_STEPS if staff else NEXT_STEPS.get(ticket.status, ())
    next_steps, action_forms = {}, []
    # Each action's address, from one reverse() instead of one a form.
    url = reverse_each("tickets:action", ticket.pk, "_action_", slot="_action_")
    for name in names:
        form = failed[1] if failed and failed[0] == name else _form_for(name, ticket)
        item = {
            "name": name,
            "action": ACTIONS[name],
            "form": form,
            "url": url(name),
        }
        if name in first:
            next_steps[name] = item
        else:
            action_forms.append(item)
    now = timezone.now()
    targets = list(selectors.targets_for(ticket))
    calendar = calendar_for(ticket.organisation.sla_policy.calendar_id)
    context = {
        "ticket": ticket,
        "conversation": conversation(selectors.timeline_for_user(ticket, user), user),
        "next_steps": next_steps,
        "action_forms": action_forms,
        "now": now,
        "is_staff_view": staff,
        "sla_lines": customer_lines(targets, now=now) if not staff else None,
        "sla_rows": staff_rows(targets, now=now) if staff else None,
        "business_hours": business_hours_for(
            calendar, timezone.get_current_timezone(), week_of=timezone.localdate(now)
        )
        if any(t.clock == Clock.BUSINESS for t in targets)
        else None,
        "follow_ups": list(ticket.follow_ups.order_by("pk").values("pk", "subject")),
        "back": back_link(request),
    }
    return render(request, "tickets/ticket_detail.html", context, status=status)


def ticket_detail(request, ticket_id: int):
    ticket = selectors.ticket_for_user(request.user, ticket_id)
    return _render_detail(request, ticket)


@require_POST
def ticket_action(request, ticket_id: int, action: str):
    ticket = selectors.ticket_for_user(request.user, ticket_id)
    if action not in ACTIONS:
        raise Http404("No such action.")
    spec = ACTIONS[action]
    user = request.user
    verdict = permissions.verdict(action, user, ticket)
    if not verdict and verdict.forbidden:
        posted = request.POST.get(f"{action}-version")
        if posted is not None and posted != str(ticket.version):
            # Refused because the ticket moved on (escalated away, say) since the page was
            # drawn: say that, as the service would, rather than a bare refusal.
            messages.error(request, services.TicketChanged(ticket).messages[0])
            return redirect("tickets:detail", ticket_id=ticket.pk)
        raise PermissionDenied(verdict.reason)
    form = _form_for(action, ticket, request.POST, request.FILES)
    if form.is_valid():
        try:
            result = spec.run(ticket, user, form.cleaned_data)
        except services.TicketChanged as exc:
            messages.error(request, exc.messages[0])
            return redirect("tickets:detail", ticket_id=ticket.pk)
        except ValidationError as exc:
            add_service_error(form, exc)
            if not hasattr(exc, "error_dict"):
                # A refused move (illegal transition, finished ticket): say so at the top, since
                # the page may no longer offer that action's form at all.
                messages.error(request, " ".join(exc.messages))
                return _render_detail(request, ticket, failed=(action, form), status=400)
        else:
            messages.success(request, spec.done)
            return redirect(
                "tickets:detail", ticket_id=result.pk if spec.opens_result else ticket.pk
            )
    messages.error(request, "That did not work: see the message by the form below.")
    return _render_detail(request, ticket, failed=(action, form), status=400)


def attachment_download(request, ticket_id: int, attachment_id: int):
    """Attachments are never served from a public folder: access is checked on every download."""
    attachment = selectors.attachment_for_user(request.user, ticket_id, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is no longer available.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

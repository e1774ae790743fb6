"""Every write on a ticket. Each function is atomic, takes keyword-only arguments, asks
``permissions`` whether the actor may act, applies the state machine, keeps the SLA targets in
step (``targets``), writes timeline events and queues mail in the same transaction.

The instant of a change is read after the ticket's row lock is held, so two racing writes on
one ticket record times in the order they commit.

Actions that change the ticket's state take the ``version`` the actor saw: if the ticket changed
in between, ``TicketChanged`` asks them to reload, so nothing is applied twice or on top of a
state the actor never saw. Replies and notes are additive and need no version.
"""

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition

from events.context import current_via
from tenants.models import Tenant, User

from . import notifications, permissions, publication, rules, targets
from .attachments import validate_upload
from .models import Attachment, Ticket, TicketEvent

Status = Ticket.Status
EventKind = TicketEvent.Kind


class TicketChanged(ValidationError):
    """The ticket changed after the actor loaded it."""

    def __init__(self, ticket: Ticket):
        super().__init__(
            f"Ticket {ticket.number} changed while you were looking at it (it is now "
            f"{ticket.get_status_display().lower()} at {ticket.level}). Reload the page and try again.",
            code="ticket_changed",
        )


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _locked(ticket: Ticket, version: int | None) -> Ticket:
    """Lock the ticket's row, then read it afresh, and check it is the version the actor saw.

    Two statements on purpose: having waited for a row lock, PostgreSQL re-reads only the
    locked row and keeps the joined rows of its first look, so one locking statement with
    joins could pair the id of an assignee set meanwhile with no assignee at all."""
    list(Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk", flat=True))
    fresh = Ticket.objects.select_related(
        "organisation__sla_policy", "tenant", "submitter", "assignee"
    ).get(pk=ticket.pk)
    if version is not None and fresh.version != version:
        raise TicketChanged(fresh)
    return fresh


def _require_as_seen(action: str, actor: User, ticket: Ticket, seen_version: int) -> None:
    """``permissions.require`` for an action that takes no version (a reply, a note): if the
    ticket changed since the actor's page was drawn and that change is why the action is
    refused now (escalated away from their level, say), say it changed, as a stale version
    would, rather than a bare refusal."""
    result = permissions.verdict(action, actor, ticket)
    if not result and ticket.version != seen_version:
        raise TicketChanged(ticket)
    permissions.require(result)


def _apply(ticket: Ticket, name: str, actor: User | None, *args) -> object:
    """Run transition ``name`` if the state allows it and ``actor`` (None: the portal itself)
    may; ``permissions`` says why not."""
    permissions.require(name, actor, ticket)
    return getattr(ticket, name)(*args)


def _save(ticket: Ticket, now: datetime, *fields: str) -> None:
    ticket.version += 1
    ticket.updated_at = now
    # Inside the service's transaction and under the row lock (``_locked``). A refused save is
    # a Python exception, not a database error, so it needs no savepoint of its own.
    try:
        ticket.save(update_fields=[*fields, "version", "updated_at"])
    except ConcurrentTransition:
        ticket.refresh_from_db()
        raise TicketChanged(ticket) from None


def _event(
    ticket: Ticket,
    kind: str,
    actor: User | None,
    now: datetime,
    *,
    public: bool,
    body: str = "",
    reason: str = "",
    **data,
) -> TicketEvent:
    if via := current_via():
        data.setdefault("via", via)
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        at=now,
        public=public,
        body=body,
        reason=reason,
        data=data,
    )
    publication.publish([event])
    return event


def _attach(
    ticket: Ticket, event: TicketEvent, actor: User, files: Sequence[UploadedFile], *, public: bool
) -> None:
    for upload in files:
        content_type = validate_upload(upload)
        attachment = Attachment(
            ticket=ticket,
            event=event,
            uploaded_by=actor,
            original_name=(upload.name or "file")[:255],
            content_type=content_type,
            size=upload.size,
            public=public,
        )
        # Every upload was validated before anything was written, so a refused file never
        # leaves its siblings behind.
        attachment.file.save(upload.name or "file", upload, save=False)
        attachment.save()


def _validate_files(files: Sequence[UploadedFile]) -> None:
    errors = []
    for upload in files:
        try:
            validate_upload(upload)
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError({"attachments": errors})


def _require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(f"Give a reason for {what}.", code="reason_required")}
        )
    return reason


def _notify_customer(ticket: Ticket, event: TicketEvent) -> None:
    notifications.customer_update(ticket, event)


def _status_event(
    ticket: Ticket,
    actor: User | None,
    now: datetime,
    old: str,
    *,
    public: bool = True,
    body: str = "",
    reason: str = "",
    **data,
) -> TicketEvent:
    return _event(
        ticket,
        EventKind.STATUS_CHANGED,
        actor,
        now,
        public=public,
        body=body,
        reason=reason,
        **{"from": Status(old).label, "to": ticket.get_status_display()},
        **data,
    )


# --- submission --------------------------------------------------------------------------------


@transaction.atomic
def ticket_create(
    *,
    submitter: User,
    tenant_id: int,
    kind: str,
    subject: str,
    description: str,
    priority: str = "",
    reference_id: str = "",
    impact: str = "",
    request_size: str = "",
    attachments: Sequence[UploadedFile] = (),
    now: datetime | None = None,
) -> Ticket:
    """File a ticket for one tenant of the submitter's own organisation. Nothing is saved if
    any part (the priority rule, an attachment) is refused."""
    now = _now(now)
    if not submitter.is_customer or not submitter.is_active:
        raise PermissionDenied("Only an active customer contact can file tickets.")
    tenant = (
        Tenant.objects.select_related("organisation__sla_policy")
        .filter(pk=tenant_id, organisation_id=submitter.organisation_id)
        .first()
    )
    if tenant is None:
        raise ValidationError(
            {
                "tenant": ValidationError(
                    "Choose one of your organisation's tenants.", code="foreign_tenant"
                )
            }
        )
    if kind == Ticket.Kind.SERVICE_REQUEST and not request_size:
        request_size = Ticket.RequestSize.MINOR
    if kind == Ticket.Kind.INCIDENT:
        request_size = ""
    # The chosen priority is checked before the default applies, so a service request that
    # names one is refused rather than silently changed.
    rules.check_priority(kind=kind, priority=priority, tenant=tenant)
    priority = rules.default_priority(kind=kind, priority=priority)
    ticket = Ticket(
        organisation=tenant.organisation,
        tenant=tenant,
        kind=kind,
        priority=priority,
        request_size=request_size,
        subject=subject.strip(),
        description=description.strip(),
        reference_id=reference_id.strip(),
        impact=impact.strip(),
        submitter=submitter,
        created_at=now,
        updated_at=now,
    )
    # The fields' own rules (lengths, choices, one-line subject). Not asked of the database
    # again: the related rows (the tenant read above, the submitter and their organisation)
    # and the kind/priority/size constraints, which the lines above settle and the database
    # enforces anyway: nine round trips per ticket filed.
    ticket.full_clean(
        exclude=["organisation", "tenant", "submitter", "follows"], validate_constraints=False
    )
    _validate_files(attachments)
    ticket.save()
    event = _event(
        ticket,
        EventKind.CREATED,
        submitter,
        now,
        public=True,
        body=ticket.description,
        priority=priority,
    )
    _attach(ticket, event, submitter, attachments, public=True)
    ticket.organisation = submitter.organisation
    book = targets.TargetBook(ticket, [])
    book.start(now)
    book.save()
    notifications.ticket_filed(ticket)
    return ticket


# --- replies -----------------------------------------------------------------------------------


@transaction.atomic
def ticket_reply(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    attachments: Sequence[UploadedFile] = (),
    next_update_at: datetime | None = None,
    now: datetime | None = None,
) -> TicketEvent:
    """A public reply by support: meets the initial response and the current update cycle,
    optionally agreeing the next update time with the customer."""
    body = _require_body(body)
    _validate_files(attachments)
    seen = ticket.version  # as the actor's page showed it
    ticket = _locked(ticket, None)
    now = _now(now)
    _require_as_seen("reply", author, ticket, seen)
    if next_update_at is not None and next_update_at <= now:
        raise ValidationError(
            {
                "next_update_at": ValidationError(
                    "The agreed next update must be in the future.", code="next_update_past"
                )
            }
        )
    event = _event(
        ticket,
        EventKind.PUBLIC_REPLY,
        author,
        now,
        public=True,
        body=body,
        **({"next_update_at": next_update_at.isoformat()} if next_update_at else {}),
    )
    _attach(ticket, event, author, attachments, public=True)
    fields = ["last_public_update_at"]
    ticket.last_public_update_at = now
    # Issue 10: an engineer's public reply to an unassigned ticket assigns it to them, as
    # taking it would (``permissions.can_take``: engineers at the ticket's level, not managers).
    if ticket.assignee_id is None and permissions.verdict("take", author, ticket):
        ticket.assignee = author
        fields.append("assignee")
        _event(
            ticket,
            EventKind.ASSIGNED,
            author,
            now,
            public=False,
            reason="With their first reply to the customer.",
            **{"from": "", "to": author.full_name},
        )
    # End of issue 10's change.
    if ticket.status == Status.NEW and permissions.verdict("start_work", author, ticket):
        old = ticket.status
        _apply(ticket, "start_work", author)
        _status_event(ticket, author, now, old)
        fields.append("status")
    _save(ticket, now, *fields)
    book = targets.TargetBook.of(ticket)
    book.record_support_update(now, agreed_next_update_at=next_update_at)
    book.save()
    _notify_customer(ticket, event)
    return event


@transaction.atomic
def ticket_customer_reply(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    attachments: Sequence[UploadedFile] = (),
    now: datetime | None = None,
) -> TicketEvent:
    """A reply by the customer; it resumes a ticket that waits for them."""
    body = _require_body(body)
    _validate_files(attachments)
    seen = ticket.version  # as the actor's page showed it
    ticket = _locked(ticket, None)
    now = _now(now)
    _require_as_seen("customer_reply", author, ticket, seen)
    event = _event(ticket, EventKind.CUSTOMER_REPLY, author, now, public=True, body=body)
    _attach(ticket, event, author, attachments, public=True)
    if ticket.status == Status.WAITING:
        old = ticket.status
        _apply(ticket, "resume", None)
        _status_event(ticket, author, now, old, reason="The customer replied.")
        _save(ticket, now, "status")
        book = targets.TargetBook.of(ticket)
        book.resume(now)
        book.save()
    else:
        _save(ticket, now)
    notifications.support_customer_reply(ticket, event)
    return event


def _require_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ValidationError("Write a message.", code="empty_reply")})
    return body


@transaction.atomic
def ticket_add_note(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    attachments: Sequence[UploadedFile] = (),
    now: datetime | None = None,
) -> TicketEvent:
    """An internal note: support only, never shown to the customer, does not count as an update."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ValidationError("Write a note.", code="empty_note")})
    _validate_files(attachments)
    seen = ticket.version  # as the actor's page showed it
    ticket = _locked(ticket, None)
    _require_as_seen("note", author, ticket, seen)
    now = _now(now)
    event = _event(ticket, EventKind.INTERNAL_NOTE, author, now, public=False, body=body)
    _attach(ticket, event, author, attachments, public=False)
    _save(ticket, now)
    return event


# --- assignment --------------------------------------------------------------------------------


@transaction.atomic
def ticket_take(
    *, ticket: Ticket, actor: User, version: int | None, now: datetime | None = None
) -> Ticket:
    """An engineer takes a ticket at their level for themselves."""
    ticket = _locked(ticket, version)
    now = _now(now)
    permissions.require("take", actor, ticket)
    return _reassign(ticket, actor, actor, now)


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    actor: User,
    assignee: User | None,
    version: int | None,
    now: datetime | None = None,
) -> Ticket:
    """A manager assigns a ticket to an engineer of its level (``None``: unassigned)."""
    ticket = _locked(ticket, version)
    now = _now(now)
    verdict = permissions.can_assign_to(actor, ticket, assignee)
    if not verdict and verdict.code in ("not_engineer", "wrong_level"):
        raise ValidationError({"assignee": ValidationError(verdict.reason, code=verdict.code)})
    permissions.require(verdict)
    return _reassign(ticket, actor, assignee, now)


def _reassign(ticket: Ticket, actor: User, assignee: User | None, now: datetime) -> Ticket:
    old = ticket.assignee
    ticket.assignee = assignee
    _save(ticket, now, "assignee")
    _event(
        ticket,
        EventKind.ASSIGNED,
        actor,
        now,
        public=False,
        **{
            "from": old.full_name if old else "",
            "to": assignee.full_name if assignee else "unassigned",
        },
    )
    return ticket


# --- level -------------------------------------------------------------------------------------


@transaction.atomic
def ticket_escalate(
    *, ticket: Ticket, actor: User, reason: str, version: int | None, now: datetime | None = None
) -> Ticket:
    """Move the ticket up one level with a recorded reason; it leaves the current assignee."""
    reason = _require_reason(reason, "escalating")
    ticket = _locked(ticket, version)
    now = _now(now)
    old = ticket.level
    _apply(ticket, "escalate", actor)
    ticket.assignee = None
    _save(ticket, now, "level", "assignee")
    event = _event(
        ticket,
        EventKind.LEVEL_CHANGED,
        actor,
        now,
        public=False,
        reason=reason,
        **{"from": old, "to": ticket.level},
    )
    notifications.level_changed(ticket, event)
    return ticket


@transaction.atomic
def ticket_hand_back(
    *,
    ticket: Ticket,
    actor: User,
    reason: str,
    to_level: str | None = None,
    version: int | None,
    now: datetime | None = None,
) -> Ticket:
    reason = _require_reason(reason, "handing the ticket back")
    ticket = _locked(ticket, version)
    now = _now(now)
    old = ticket.level
    _apply(ticket, "hand_back", actor, to_level or None)
    ticket.assignee = None
    _save(ticket, now, "level", "assignee")
    event = _event(
        ticket,
        EventKind.LEVEL_CHANGED,
        actor,
        now,
        public=False,
        reason=reason,
        **{"from": old, "to": ticket.level},
    )
    notifications.level_changed(ticket, event)
    return ticket


@transaction.atomic
def ticket_confirm_defect(
    *, ticket: Ticket, actor: User, reason: str, version: int | None, now: datetime | None = None
) -> Ticket:
    """L4 confirms a product defect: a software fix follows, and a P3's ORT becomes the
    product-defect ORT (10 business days in the standard policy)."""
    reason = _require_reason(reason, "confirming a product defect")
    ticket = _locked(ticket, version)
    now = _now(now)
    _apply(ticket, "confirm_product_defect", actor)
    _save(ticket, now, "product_defect")
    _event(
        ticket,
        EventKind.DEFECT_CONFIRMED,
        actor,
        now,
        public=True,
        reason=reason,
        body="Our software development team confirmed this as a product defect; a fix will follow.",
    )
    book = targets.TargetBook.of(ticket)
    book.remeasure_product_defect(now)
    book.save()
    return ticket


# --- priority ----------------------------------------------------------------------------------


@transaction.atomic
def ticket_reclassify(
    *,
    ticket: Ticket,
    actor: User,
    priority: str,
    reason: str,
    version: int | None,
    now: datetime | None = None,
) -> Ticket:
    """Support changes an incident's priority with a reason; targets not yet met are measured
    again with the new priority from now. The P1/P2 rule still holds."""
    reason = _require_reason(reason, "changing the priority")
    ticket = _locked(ticket, version)
    now = _now(now)
    verdict = permissions.can_reclassify(actor, ticket)
    if verdict.code == "priority_on_request":
        raise ValidationError({"priority": ValidationError(verdict.reason, code=verdict.code)})
    permissions.require(verdict)
    if priority == ticket.priority:
        raise ValidationError(
            {
                "priority": ValidationError(
                    f"The ticket is already {priority}.", code="same_priority"
                )
            }
        )
    old = ticket.priority
    ticket.priority = priority
    ticket.full_clean()
    _save(ticket, now, "priority")
    _event(
        ticket,
        EventKind.PRIORITY_CHANGED,
        actor,
        now,
        public=True,
        reason=reason,
        **{"from": old, "to": priority},
    )
    book = targets.TargetBook.of(ticket)
    book.remeasure_priority(now)
    book.save()
    notifications.priority_changed(ticket, old)
    return ticket


@transaction.atomic
def ticket_agree_delivery(
    *,
    ticket: Ticket,
    actor: User,
    delivery_at: datetime,
    note: str = "",
    version: int | None,
    now: datetime | None = None,
) -> Ticket:
    """Record the delivery date agreed with the customer for a service request that needs
    planning; it becomes the request's delivery target."""
    ticket = _locked(ticket, version)
    now = _now(now)
    permissions.require("agree_delivery", actor, ticket)
    if delivery_at <= now:
        raise ValidationError(
            {
                "delivery_at": ValidationError(
                    "The delivery date must be in the future.", code="delivery_past"
                )
            }
        )
    ticket.agreed_delivery_at = delivery_at
    _save(ticket, now, "agreed_delivery_at")
    event = _event(
        ticket,
        EventKind.DELIVERY_AGREED,
        actor,
        now,
        public=True,
        body=note.strip(),
        delivery_at=delivery_at.isoformat(),
    )
    book = targets.TargetBook.of(ticket)
    book.agree_delivery(now, delivery_at)
    book.save()
    _notify_customer(ticket, event)
    return ticket


# --- status ------------------------------------------------------------------------------------


@transaction.atomic
def ticket_wait_for_customer(
    *, ticket: Ticket, actor: User, message: str, version: int | None, now: datetime | None = None
) -> Ticket:
    """Ask the customer for something. The question is a public update; ORT and resolution
    clocks pause until the customer answers or support resumes."""
    message = (message or "").strip()
    if not message:
        raise ValidationError(
            {
                "message": ValidationError(
                    "Tell the customer what you need from them.", code="message_required"
                )
            }
        )
    ticket = _locked(ticket, version)
    now = _now(now)
    old = ticket.status
    _apply(ticket, "wait_for_customer", actor)
    ticket.last_public_update_at = now
    _save(ticket, now, "status", "last_public_update_at")
    event = _status_event(ticket, actor, now, old, body=message)
    book = targets.TargetBook.of(ticket)
    book.record_support_update(now)
    book.pause(now)
    book.save()
    _notify_customer(ticket, event)
    return ticket


@transaction.atomic
def ticket_resume(
    *, ticket: Ticket, actor: User, version: int | None, now: datetime | None = None
) -> Ticket:
    ticket = _locked(ticket, version)
    now = _now(now)
    old = ticket.status
    _apply(ticket, "resume", actor)
    _save(ticket, now, "status")
    _status_event(ticket, actor, now, old, public=False)
    book = targets.TargetBook.of(ticket)
    book.resume(now)
    book.save()
    return ticket


@transaction.atomic
def ticket_resolve(
    *,
    ticket: Ticket,
    actor: User,
    resolution_type: str,
    summary: str,
    version: int | None,
    now: datetime | None = None,
) -> Ticket:
    """Resolve with a resolution, a workaround or an action plan (each meets the P1 resolution
    target). The summary goes to the customer, who confirms or reopens."""
    summary = (summary or "").strip()
    if resolution_type not in Ticket.ResolutionType.values:
        raise ValidationError(
            {
                "resolution_type": ValidationError(
                    "Choose resolution, workaround or action plan.", code="resolution_type"
                )
            }
        )
    if not summary:
        raise ValidationError(
            {
                "summary": ValidationError(
                    "Describe the resolution for the customer.", code="summary_required"
                )
            }
        )
    ticket = _locked(ticket, version)
    now = _now(now)
    old = ticket.status
    _apply(ticket, "resolve", actor, resolution_type)
    ticket.resolved_at = now
    ticket.last_public_update_at = now
    _save(ticket, now, "status", "resolution_type", "resolved_at", "last_public_update_at")
    event = _status_event(
        ticket, actor, now, old, body=summary, resolution_type=ticket.get_resolution_type_display()
    )
    book = targets.TargetBook.of(ticket)
    book.record_support_update(now, continues=False)
    book.meet_resolution(now)
    book.save()
    _notify_customer(ticket, event)
    return ticket


@transaction.atomic
def ticket_confirm(
    *, ticket: Ticket, actor: User, version: int | None, now: datetime | None = None
) -> Ticket:
    """The customer confirms the resolution; the ticket closes."""
    ticket = _locked(ticket, version)
    now = _now(now)
    old = ticket.status
    _apply(ticket, "confirm", actor)
    ticket.closed_at = now
    _save(ticket, now, "status", "closed_at")
    _status_event(ticket, actor, now, old, reason="The customer confirmed the resolution.")
    book = targets.TargetBook.of(ticket)
    book.cancel_outstanding(now)
    book.save()
    return ticket


@transaction.atomic
def ticket_close(
    *, ticket: Ticket, actor: User, version: int | None, now: datetime | None = None
) -> Ticket:
    ticket = _locked(ticket, version)
    now = _now(now)
    old = ticket.status
    _apply(ticket, "close", actor)
    ticket.closed_at = now
    _save(ticket, now, "status", "closed_at")
    event = _status_event(ticket, actor, now, old)
    book = targets.TargetBook.of(ticket)
    book.cancel_outstanding(now)
    book.save()
    _notify_customer(ticket, event)
    return ticket


@transaction.atomic
def ticket_reopen(
    *, ticket: Ticket, actor: User, reason: str, version: int | None, now: datetime | None = None
) -> Ticket:
    """The customer says the problem is not solved; support owes an update within the ORT."""
    reason = _require_reason(reason, "reopening")
    ticket = _locked(ticket, version)
    now = _now(now)
    old = ticket.status
    _apply(ticket, "reopen", actor)
    ticket.resolved_at = None
    _save(ticket, now, "status", "resolution_type", "resolved_at")
    event = _status_event(ticket, actor, now, old, reason=reason)
    book = targets.TargetBook.of(ticket)
    book.restart_updates(now)
    book.save()
    notifications.support_customer_reply(ticket, event)
    return ticket


@transaction.atomic
def ticket_withdraw(
    *,
    ticket: Ticket,
    actor: User,
    reason: str = "",
    version: int | None,
    now: datetime | None = None,
) -> Ticket:
    """The submitter no longer needs help; pending targets are cancelled."""
    ticket = _locked(ticket, version)
    now = _now(now)
    old = ticket.status
    _apply(ticket, "withdraw", actor)
    ticket.closed_at = now
    _save(ticket, now, "status", "closed_at")
    _status_event(ticket, actor, now, old, reason=(reason or "").strip())
    book = targets.TargetBook.of(ticket)
    book.cancel_outstanding(now)
    book.save()
    return ticket


# --- details ------------------------------------------------------------------------------------

EDITABLE_DETAILS = ("subject", "description", "reference_id", "impact")


@transaction.atomic
def ticket_edit_details(
    *,
    ticket: Ticket,
    actor: User,
    version: int | None,
    now: datetime | None = None,
    **details: str,
) -> Ticket:
    """Support corrects the text of a ticket (subject, description, reference ID, impact); the
    timeline keeps what it said before."""
    unknown = set(details) - set(EDITABLE_DETAILS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}.")
    ticket = _locked(ticket, version)
    now = _now(now)
    permissions.require(permissions.is_support(actor))
    changed = {}
    for name, value in details.items():
        value = (value or "").strip()
        if value != getattr(ticket, name):
            changed[name] = {"from": getattr(ticket, name), "to": value}
            setattr(ticket, name, value)
    if not changed:
        return ticket
    ticket.full_clean()
    _save(ticket, now, *changed)
    _event(ticket, EventKind.EDITED, actor, now, public=False, changes=changed)
    return ticket


# --- facts recorded by other parts of the portal ----------------------------------------------


@transaction.atomic
def ticket_log_event(
    *,
    ticket: Ticket,
    actor: User | None,
    kind: str,
    body: str = "",
    public: bool = False,
    now: datetime | None = None,
    **data,
) -> TicketEvent:
    """Write a timeline event about something recorded elsewhere (an outage linked to the
    ticket, say). It changes nothing else on the ticket and needs no version."""
    now = _now(now)
    if kind not in EventKind.values:
        raise ValueError(f"Unknown timeline event kind {kind!r}.")
    return _event(ticket, kind, actor, now, public=public, body=body, **data)


# --- follow-ups ----------------------------------------------------------------------------------


@transaction.atomic
def ticket_follow_up(
    *,
    ticket: Ticket,
    submitter: User,
    description: str,
    attachments: Sequence[UploadedFile] = (),
    now: datetime | None = None,
) -> Ticket:
    """The problem of a closed ticket came back ("this happened again"): file a new ticket that
    follows it, for the same tenant, kind, priority and request size, under every rule of
    ``ticket_create`` (the P1/P2 rule included). The old ticket stays closed."""
    permissions.require("follow_up", submitter, ticket)
    follow_up = ticket_create(
        submitter=submitter,
        tenant_id=ticket.tenant_id,
        kind=ticket.kind,
        priority=ticket.priority,
        request_size=ticket.request_size,
        subject=f"Again: {ticket.subject}"[: Ticket._meta.get_field("subject").max_length],
        description=description,
        reference_id=ticket.reference_id,
        impact=ticket.impact,
        attachments=attachments,
        now=now,
    )
    follow_up.follows = ticket
    follow_up.save(update_fields=["follows"])
    return follow_up

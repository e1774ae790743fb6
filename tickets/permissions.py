"""Who may do what to a ticket: the one home of the ladder rule and every other ticket permission.

SPEC "Escalation ladder": an engineer acts on tickets at their own level; managers on all.
Customers act on their own organisation's tickets; only the submitter withdraws one.

Every caller asks here: the state machine's transition permissions (``models.py``), the services
before they change anything, the ticket page's list of actions, the queue's take button and the
API. ``verdict(action, user, ticket)`` answers with a ``Verdict`` that says why when it refuses;
``require`` turns a refusal into the exception the services raise:

- ``Forbidden`` (a ``PermissionDenied``) when the person may not do it at all;
- ``ValidationError`` when the ticket's state does not allow it now.

Both carry a machine code (``other_level``, ``transition_not_allowed``, …) for the API.

The functions read only plain attributes of the ticket (``pk``, ``level``, ``status``, ``kind``,
``assignee_id``, ``organisation_id``, ``submitter_id``, ``product_defect``), so the queue can ask
about its plain rows through ``TicketFacts`` without loading model instances.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import PermissionDenied, ValidationError

from tenants.models import SupportLevel, User

# Statuses, spelled here rather than imported from the model (which imports this module for its
# transition permissions).
NEW, IN_PROGRESS, WAITING = "new", "in_progress", "waiting"
RESOLVED, CLOSED, WITHDRAWN = "resolved", "closed", "withdrawn"
OPEN_STATUSES = frozenset({NEW, IN_PROGRESS, WAITING})
FINISHED_STATUSES = frozenset({CLOSED, WITHDRAWN})
STATUS_WORDS = {
    NEW: "new",
    IN_PROGRESS: "in progress",
    WAITING: "waiting for the customer",
    RESOLVED: "resolved",
    CLOSED: "closed",
    WITHDRAWN: "withdrawn",
}
INCIDENT, SERVICE_REQUEST = "incident", "service_request"


class TicketLike(Protocol):
    pk: int
    level: str
    status: str
    kind: str
    assignee_id: int | None
    organisation_id: int
    submitter_id: int
    product_defect: bool


@dataclass(frozen=True)
class TicketFacts:
    """The facts permissions read, for callers holding plain rows instead of tickets."""

    pk: int
    level: str
    status: str
    kind: str = INCIDENT
    assignee_id: int | None = None
    organisation_id: int = 0
    submitter_id: int = 0
    product_defect: bool = False


class Forbidden(PermissionDenied):
    """The person may not do this to the ticket; ``code`` names the rule."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""
    code: str = ""
    forbidden: bool = False
    """True when the person may not do it at all, False when the ticket's state is the reason."""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Verdict(True)


def _forbid(reason: str, code: str) -> Verdict:
    return Verdict(False, reason, code, forbidden=True)


def _invalid(reason: str, code: str) -> Verdict:
    return Verdict(False, reason, code, forbidden=False)


def _number(ticket: TicketLike) -> str:
    return f"#{ticket.pk}"


# --- who ---------------------------------------------------------------------------------------


def is_manager(user: User) -> bool:
    return user.is_active and user.is_support_manager


def is_level_engineer(user: User) -> bool:
    """An engineer who works the ladder at a level (managers are not, even with a level set)."""
    return user.is_active and user.is_support_engineer and not user.is_support_manager


def acts_at_level(user: User, ticket: TicketLike) -> Verdict:
    """The ladder rule: engineers act on tickets at their own level; managers on all."""
    if is_manager(user):
        return ALLOWED
    if is_level_engineer(user):
        if user.support_level and user.support_level == ticket.level:
            return ALLOWED
        return _forbid(
            f"Ticket {_number(ticket)} is at {ticket.level}; you work at "
            f"{user.support_level or 'no level'}. Only its level's engineers or a manager can do "
            "that.",
            "other_level",
        )
    return _forbid("Only support engineers and managers can do that.", "not_support")


def is_support(user: User) -> Verdict:
    if user.is_active and user.is_support_staff:
        return ALLOWED
    return _forbid("Only support staff can do that.", "not_support")


def is_customer_of(user: User, ticket: TicketLike) -> Verdict:
    if user.is_active and user.is_customer and user.organisation_id == ticket.organisation_id:
        return ALLOWED
    return _forbid("Only the customer's contacts can do that.", "not_customer")


def is_submitter(user: User, ticket: TicketLike) -> Verdict:
    verdict = is_customer_of(user, ticket)
    if verdict and user.pk != ticket.submitter_id:
        return _forbid("Only the person who filed the ticket can withdraw it.", "not_submitter")
    return verdict


def may_see_internal(user: User) -> bool:
    """Internal notes, internal attachments and SLA bookkeeping events are for support staff."""
    return bool(is_support(user))


# --- state -------------------------------------------------------------------------------------


def _open(ticket: TicketLike) -> Verdict:
    if ticket.status in OPEN_STATUSES:
        return ALLOWED
    return _invalid(
        f"Ticket {_number(ticket)} is {STATUS_WORDS.get(ticket.status, ticket.status)}.",
        "ticket_not_open",
    )


def _not_finished(ticket: TicketLike) -> Verdict:
    if ticket.status in FINISHED_STATUSES:
        return _invalid(
            f"Ticket {_number(ticket)} is {STATUS_WORDS[ticket.status]}; file a new ticket "
            "instead.",
            "ticket_finished",
        )
    return ALLOWED


def _all(*checks: Callable[[], Verdict]) -> Verdict:
    for check in checks:
        verdict = check()
        if not verdict:
            return verdict
    return ALLOWED


# --- actions that are not state-machine transitions --------------------------------------------


def can_reply_publicly(user: User, ticket: TicketLike) -> Verdict:
    """A public reply by support (it meets the initial response and the update cycle)."""

    def not_resolved() -> Verdict:
        if ticket.status == RESOLVED:
            return _invalid(
                "This ticket is resolved; the customer can reopen it if the problem is back.",
                "ticket_resolved",
            )
        return ALLOWED

    return _all(lambda: acts_at_level(user, ticket), lambda: _not_finished(ticket), not_resolved)


def can_reply_as_customer(user: User, ticket: TicketLike) -> Verdict:
    return _all(lambda: is_customer_of(user, ticket), lambda: _not_finished(ticket))


def can_add_note(user: User, ticket: TicketLike) -> Verdict:
    """Internal notes: any support engineer or manager, at any level (a colleague's advice)."""
    return is_support(user)


def can_take(user: User, ticket: TicketLike) -> Verdict:
    """An engineer takes a ticket at their level for themselves; managers assign instead."""
    if is_manager(user):
        return _forbid(
            "Managers assign tickets to engineers rather than taking them.", "manager_assigns"
        )

    def not_theirs() -> Verdict:
        if ticket.assignee_id == user.pk:
            return _invalid(f"Ticket {_number(ticket)} is already yours.", "already_assigned")
        return ALLOWED

    return _all(lambda: acts_at_level(user, ticket), lambda: _open(ticket), not_theirs)


def can_assign(user: User, ticket: TicketLike) -> Verdict:
    """Managers assign a ticket to any engineer of its level (or leave it unassigned)."""
    if not is_manager(user):
        return _forbid(
            "Engineers can take tickets for themselves; a manager assigns them to others.",
            "not_manager",
        )
    return _open(ticket)


def can_assign_to(user: User, ticket: TicketLike, assignee: User | None) -> Verdict:
    verdict = can_assign(user, ticket)
    if not verdict or assignee is None:
        return verdict
    if not is_level_engineer(assignee):
        return _invalid("Choose an active support engineer.", "not_engineer")
    if assignee.support_level != ticket.level:
        return _invalid(
            f"{assignee} works at {assignee.support_level or 'no level'}; ticket "
            f"{_number(ticket)} is at {ticket.level}. Escalate or hand it back first.",
            "wrong_level",
        )
    return ALLOWED


def can_reclassify(user: User, ticket: TicketLike) -> Verdict:
    def incident() -> Verdict:
        if ticket.kind != INCIDENT:
            return _invalid("Service requests carry no incident priority.", "priority_on_request")
        return ALLOWED

    return _all(lambda: acts_at_level(user, ticket), lambda: _open(ticket), incident)


def can_agree_delivery(user: User, ticket: TicketLike) -> Verdict:
    def request() -> Verdict:
        if ticket.kind != SERVICE_REQUEST or ticket.status not in OPEN_STATUSES:
            return _invalid(
                "Delivery dates are agreed for open service requests only.", "not_open_request"
            )
        return ALLOWED

    return _all(lambda: acts_at_level(user, ticket), request)


def can_follow_up(user: User, ticket: TicketLike) -> Verdict:
    """A customer files a follow-up of a closed ticket whose problem came back ("this happened
    again"): a new ticket for the same tenant that names the old one."""

    def closed() -> Verdict:
        if ticket.status != CLOSED:
            return _invalid(
                f"Ticket {_number(ticket)} is {STATUS_WORDS.get(ticket.status, ticket.status)}; "
                "only a closed ticket gets a follow-up.",
                "ticket_not_closed",
            )
        return ALLOWED

    return _all(lambda: is_customer_of(user, ticket), closed)


# --- state-machine transitions -----------------------------------------------------------------
#
# Who may run each transition; the state machine (``Ticket``'s FSM fields) decides whether the
# ticket's state allows it. Models pass these as ``permission=`` (FSM calls them with the
# instance first), so ``get_available_user_*_transitions`` and ``has_transition_perm`` agree
# with ``verdict``.


def _at_l4(user: User, ticket: TicketLike) -> Verdict:
    verdict = acts_at_level(user, ticket)
    if verdict and ticket.level != SupportLevel.L4:
        return _invalid(
            f"Only L4 confirms product defects; ticket {_number(ticket)} is at {ticket.level}.",
            "defect_needs_l4",
        )
    return verdict


TRANSITION_RULES: dict[str, Callable[[User, TicketLike], Verdict]] = {
    "start_work": acts_at_level,
    "wait_for_customer": acts_at_level,
    "resume": acts_at_level,
    "resolve": acts_at_level,
    "close": acts_at_level,
    "escalate": acts_at_level,
    "hand_back": acts_at_level,
    "confirm_product_defect": _at_l4,
    "confirm": is_customer_of,
    "reopen": is_customer_of,
    "withdraw": is_submitter,
}

TRANSITION_LABELS = {
    "start_work": "start work on",
    "wait_for_customer": "wait for the customer on",
    "resume": "resume",
    "resolve": "resolve",
    "confirm": "confirm the resolution of",
    "close": "close",
    "reopen": "reopen",
    "withdraw": "withdraw",
    "escalate": "escalate",
    "hand_back": "hand back",
    "confirm_product_defect": "confirm a product defect on",
}


def transition_permission(name: str) -> Callable[[object, User], bool]:
    """The ``permission=`` callable of the state machine's transition ``name``."""
    rule = TRANSITION_RULES[name]

    def permission(ticket: object, user: User) -> bool:
        return bool(rule(user, ticket))  # type: ignore[arg-type]

    permission.__name__ = f"may_{name}"
    return permission


def _transition_verdict(name: str, user: User | None, ticket: TicketLike) -> Verdict:
    from django_fsm import can_proceed

    if user is not None:
        verdict = TRANSITION_RULES[name](user, ticket)
        if not verdict:
            return verdict
    method = getattr(ticket, name, None)
    if method is None or not can_proceed(method):
        return _invalid(
            f"You cannot {TRANSITION_LABELS[name]} a ticket that is "
            f"{STATUS_WORDS.get(ticket.status, ticket.status)} at {ticket.level}.",
            "transition_not_allowed",
        )
    return ALLOWED


# --- one question for every caller --------------------------------------------------------------

ACTION_RULES: dict[str, Callable[[User, TicketLike], Verdict]] = {
    "reply": can_reply_publicly,
    "customer_reply": can_reply_as_customer,
    "note": can_add_note,
    "take": can_take,
    "assign": can_assign,
    "reclassify": can_reclassify,
    "agree_delivery": can_agree_delivery,
    "follow_up": can_follow_up,
}

ACTIONS = (*ACTION_RULES, *TRANSITION_RULES)


def verdict(action: str, user: User | None, ticket: TicketLike) -> Verdict:
    """May ``user`` do ``action`` to ``ticket`` now? ``user`` None is the portal itself (a
    customer's reply resuming a waiting ticket), which only the ticket's state limits."""
    if action in TRANSITION_RULES:
        return _transition_verdict(action, user, ticket)
    if action not in ACTION_RULES:
        raise ValueError(f"Unknown ticket action {action!r}.")
    if user is None:
        return ALLOWED
    return ACTION_RULES[action](user, ticket)


def require(action_or_verdict: str | Verdict, user: User | None = None, ticket=None) -> None:
    """Raise ``Forbidden`` or ``ValidationError`` unless the action is allowed."""
    result = (
        action_or_verdict
        if isinstance(action_or_verdict, Verdict)
        else verdict(action_or_verdict, user, ticket)
    )
    if result:
        return
    if result.forbidden:
        raise Forbidden(result.reason, result.code)
    raise ValidationError(result.reason, code=result.code)


def available_actions(user: User, ticket: TicketLike) -> list[str]:
    """Every action ``user`` may do to ``ticket`` now, in ``ACTIONS`` order."""
    return [action for action in ACTIONS if verdict(action, user, ticket)]

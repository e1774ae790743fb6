"""Each person's landing page: what to do next. ``home`` sits above every other app: it reads
from them (``selectors``) and nothing imports it."""

from django.shortcuts import render
from django.utils import timezone

from availability.selectors import current_states
from lib.formatting import describe_due, when
from onboarding.selectors import onboarding_summary
from sla.availability import DayState
from tenants.models import SupportLevel
from tickets.permissions import is_manager
from tickets.queue.selectors import AT_RISK_HOURS, AT_RISK_WINDOW
from tickets.sla_box import owed_words

from . import selectors


def _capped(rows: list, limit: int) -> tuple[list, bool]:
    """The rows to show and whether the list goes on (the selectors read one row more)."""
    return rows[:limit], len(rows) > limit


def _customer(request, now) -> tuple[str, dict]:
    user = request.user
    tickets, more = _capped(selectors.customer_open_tickets(user), selectors.CUSTOMER_LIST_LENGTH)
    rows = []
    for ticket in tickets:
        waiting = ticket.status == ticket.Status.WAITING
        if waiting:
            text = "Support is waiting for your answer"
        elif ticket.next_due_at:
            text = f"{owed_words(ticket.next_kind)} by {when(ticket.next_due_at)}"
        else:
            text = "Support is working on it"
        late = bool(ticket.next_due_at and ticket.next_due_at < now and not waiting)
        rows.append({"ticket": ticket, "waiting": waiting, "text": text, "late": late})
    tenants = selectors.customer_tenants(user)
    states = current_states(tenants, now)
    return "home/customer.html", {
        "tickets": rows,
        "more_tickets": more,
        "waiting_count": sum(1 for row in rows if row["waiting"]),
        "tenants": [
            {"tenant": t, "state": states[t.pk], "state_label": DayState.LABELS[states[t.pk]]}
            for t in tenants
        ],
        "onboarding": onboarding_summary(organisation_id=user.organisation_id),
    }


def _due(tickets, now) -> list[dict]:
    return [
        {
            "ticket": t,
            "due": describe_due(t.next_due_at, now) if t.next_due_at else "",
            "overdue": bool(t.next_due_at and t.next_due_at < now),
            "at_risk": bool(t.next_due_at and now <= t.next_due_at <= now + AT_RISK_WINDOW),
        }
        for t in tickets
    ]


def _engineer(request, now) -> tuple[str, dict]:
    user = request.user
    level = user.support_level
    mine, more_mine = _capped(selectors.my_open_tickets(user), selectors.LIST_LENGTH)
    urgent, more_urgent = _capped(
        selectors.level_urgent_tickets(level, now=now) if level else [], selectors.LIST_LENGTH
    )
    critical, more_critical = _capped(
        selectors.unassigned_critical_tickets(), selectors.LIST_LENGTH
    )
    return "home/engineer.html", {
        "level": level,
        "level_label": SupportLevel(level).label if level else "",
        "mine": _due(mine, now),
        "more_mine": more_mine,
        "urgent": _due(urgent, now),
        "more_urgent": more_urgent,
        "critical": _due(critical, now),
        "more_critical": more_critical,
        "replies": selectors.recent_customer_replies(user, now=now),
        "at_risk_hours": AT_RISK_HOURS,
    }


def _manager(request, now) -> tuple[str, dict]:
    today_starts = selectors.start_of_day(now, timezone.get_current_timezone())
    levels = selectors.levels_today(now=now, today_starts=today_starts)
    critical, more_critical = _capped(
        selectors.unassigned_critical_tickets(), selectors.LIST_LENGTH
    )
    return "home/manager.html", {
        "levels": levels,
        "totals": {
            "missed_today": sum(line.missed_today for line in levels),
            "overdue": sum(line.overdue for line in levels),
            "at_risk": sum(line.at_risk for line in levels),
        },
        "critical": _due(critical, now),
        "more_critical": more_critical,
        "engineers": selectors.engineer_load(),
        "glance": selectors.last_month_glance(now=now),
        "heartbeat": selectors.heartbeat(now),
        "at_risk_hours": AT_RISK_HOURS,
    }


def home(request):
    """The landing page, shaped by the signed-in person's role."""
    user = request.user
    now = timezone.now()
    if user.is_customer:
        template, context = _customer(request, now)
    elif is_manager(user):
        template, context = _manager(request, now)
    elif user.is_support_staff:
        template, context = _engineer(request, now)
    else:
        template, context = "home/other.html", {}
    return render(request, template, {**context, "now": now})

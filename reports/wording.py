"""A customer's SLA figures in plain words: "We answered 97 % of your P3 incidents within one
business day (35 of 36)". The promise named is the organisation's own policy."""

from __future__ import annotations

from sla import services as sla
from sla.deadlines import Clock, Target
from tickets.models import TicketTarget

from .compliance import Figure
from .tables import percent

NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 10: "ten"}


def duration_words(target: Target, day_seconds: int) -> str:
    """``one business day``, ``4 hours``, ``60 minutes``, ``ten business days``."""
    seconds = target.seconds
    if target.clock == Clock.BUSINESS and seconds % day_seconds == 0:
        days = seconds // day_seconds
        return f"{NUMBER_WORDS.get(days, days)} business day{'s' if days != 1 else ''}"
    suffix = " of business hours" if target.clock == Clock.BUSINESS else ""
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}{suffix}"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}{suffix}"


def promise_kept(figure: Figure, policy) -> str:
    """One sentence for one line of the customer's compliance."""
    share = percent(figure.compliance)
    tally = f"({figure.met} of {figure.decided})"
    kind, priority = figure.kind, figure.priority
    if figure.basis == TicketTarget.Basis.AGREED:
        return f"We kept {share} of the update times we agreed with you {tally}."
    target = sla.target_for(
        policy=policy,
        priority=priority,
        kind=kind,
        product_defect=figure.basis == TicketTarget.Basis.PRODUCT_DEFECT,
    )
    if target is None:
        within = ""
    else:
        within = " within " + duration_words(
            target, sla.calendar_for(policy.calendar_id).day_seconds
        )
    if kind == TicketTarget.Kind.INITIAL_RESPONSE:
        return f"We answered {share} of your {priority} incidents{within} {tally}."
    if kind == TicketTarget.Kind.ONGOING_UPDATE:
        what = (
            "confirmed product defects"
            if figure.basis == TicketTarget.Basis.PRODUCT_DEFECT
            else f"{priority} incidents"
        )
        return f"We sent {share} of our updates on your {what}{within} of the previous one {tally}."
    if kind == TicketTarget.Kind.RESOLUTION:
        return (
            f"We resolved, worked around or gave an action plan for {share} of your {priority} "
            f"incidents{within} {tally}."
        )
    return f"We delivered {share} of your minor service requests{within} {tally}."

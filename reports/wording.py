"""A customer's SLA figures in plain words: "We answered 97 % of your P3 incidents within one
business day (35 of 36)". The promise named is the organisation's own policy."""

from __future__ import annotations

from sla import services as sla
from sla.words import duration_words
from tickets.models import TicketTarget

from .compliance import Figure
from .tables import percent


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

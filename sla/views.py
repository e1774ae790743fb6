from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from . import services
from .deadlines import Clock
from .forms import CalculatorForm
from .hours import business_hours_for
from .words import duration_words


def _in_words(explanation) -> dict:
    """The calculator's answer in sentences: how long the target is, when the clock started
    counting and why, and the calendar's hours in the reader's zone too."""
    calendar = services.calendar_for(explanation.policy.calendar_id)
    words = {
        "business_hours": business_hours_for(
            calendar, timezone.get_current_timezone(), week_of=explanation.start.date()
        )
    }
    target = explanation.target
    if target is None:
        return words
    words["length"] = duration_words(target, calendar.day_seconds)
    words["business"] = target.clock == Clock.BUSINESS
    first = explanation.intervals[0][0] if explanation.intervals else explanation.counting_from
    words["first_counted"] = first
    if target.count_from_next_day:
        words["why"] = "next_day"
    elif first is not None and first > explanation.start:
        words["why"] = "closed"
    else:
        words["why"] = "at_once"
    return words


def calculator(request):
    """The deadline calculator for support staff: the same answer as ``manage.py sla_due``,
    with the stretches of clock time it counted."""
    if not request.user.is_support_staff:
        raise PermissionDenied("Only support staff can use the deadline calculator.")
    form = CalculatorForm(request.GET or None)
    explanation = None
    words = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        explanation = services.explain_due(
            policy=data["policy"],
            priority=data["priority"],
            kind=data["target"],
            start=data["start"],
            product_defect=data["product_defect"],
        )
        words = _in_words(explanation)
    return render(
        request,
        "sla/calculator.html",
        {"form": form, "explanation": explanation, "words": words},
    )

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from . import services
from .forms import CalculatorForm


def calculator(request):
    """The deadline calculator for support staff: the same answer as ``manage.py sla_due``,
    with the stretches of clock time it counted."""
    if not request.user.is_support_staff:
        raise PermissionDenied("Only support staff can use the deadline calculator.")
    form = CalculatorForm(request.GET or None)
    explanation = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        explanation = services.explain_due(
            policy=data["policy"],
            priority=data["priority"],
            kind=data["target"],
            start=data["start"],
            product_defect=data["product_defect"],
        )
    return render(request, "sla/calculator.html", {"form": form, "explanation": explanation})

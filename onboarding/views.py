"""Onboarding pages under ``/onboarding/``: the customer sees and ticks their own steps; support
staff see every checklist (overdue first), open new ones and keep dates and scope up to date.

Every view that takes an id gets its object through the tenant gate first, so another
customer's checklist is a 404 whatever the method; only then are staff-only actions refused
with a 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from lib.forms import add_service_error
from lib.pagination import BoundedPaginator

from . import selectors, services
from .forms import OnboardingGoLiveForm, OnboardingStartForm, OnboardingStepForm
from .models import OnboardingChecklist, OnboardingPhase
from .permissions import can_manage_onboarding, can_tick
from .selectors import checklist_for_user, step_for_user
from .steps import PROVISIONING_WORKING_DAYS
from .tables import OnboardingTable


def _require_staff(user) -> None:
    if not can_manage_onboarding(user):
        raise PermissionDenied("Only support staff can do that.")


def index(request):
    """Staff: every checklist. A customer: their own checklist."""
    user = request.user
    if user.is_customer:
        checklist = OnboardingChecklist.objects.filter(organisation_id=user.organisation_id).first()
        if checklist is not None:
            return redirect("onboarding:detail", checklist_id=checklist.pk)
        organisation = user.organisation
        live_on = organisation.go_live_on
        return render(
            request,
            "onboarding/none.html",
            {
                "organisation": organisation,
                "is_live": live_on is not None and live_on <= timezone.localdate(),
            },
        )
    _require_staff(user)
    today = timezone.localdate()
    table = OnboardingTable(selectors.checklists_for_staff(today=today))
    RequestConfig(
        request, paginate={"per_page": 25, "paginator_class": BoundedPaginator}
    ).configure(table)
    return render(request, "onboarding/list.html", {"table": table})


def start(request):
    _require_staff(request.user)
    form = OnboardingStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            checklist = services.onboarding_start(
                organisation=form.cleaned_data["organisation"],
                signed_on=form.cleaned_data["signed_on"],
                planned_go_live=form.cleaned_data["planned_go_live"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Onboarding of {checklist.organisation} started.")
            return redirect("onboarding:detail", checklist_id=checklist.pk)
    return render(
        request,
        "onboarding/start.html",
        {
            "form": form,
            "has_candidates": form.fields["organisation"].queryset.exists(),
            "provisioning_days": PROVISIONING_WORKING_DAYS,
        },
    )


def detail(request, checklist_id: int):
    checklist = checklist_for_user(request.user, checklist_id)
    today = timezone.localdate()
    steps = list(checklist.steps.select_related("done_by"))
    phases = [
        (label, [s for s in steps if s.phase == value]) for value, label in OnboardingPhase.choices
    ]
    is_staff = can_manage_onboarding(request.user)
    for step in steps:
        step.overdue = step.is_overdue(today)
        step.can_tick = can_tick(request.user, step)
    applicable = [s for s in steps if not s.not_applicable]
    context = {
        "checklist": checklist,
        "phases": phases,
        "is_staff": is_staff,
        "done_count": sum(s.done_at is not None for s in applicable),
        "applicable_count": len(applicable),
        "complete": all(s.done_at is not None for s in applicable),
        "go_live_form": OnboardingGoLiveForm(
            initial={"planned_go_live": checklist.planned_go_live_on}
        )
        if is_staff
        else None,
    }
    return render(request, "onboarding/detail.html", context)


@require_POST
def go_live(request, checklist_id: int):
    checklist = checklist_for_user(request.user, checklist_id)
    _require_staff(request.user)
    form = OnboardingGoLiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a valid date for the planned go-live.")
        return redirect("onboarding:detail", checklist_id=checklist.pk)
    try:
        services.onboarding_set_go_live(
            checklist=checklist,
            planned_go_live=form.cleaned_data["planned_go_live"],
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The planned go-live was updated.")
    return redirect("onboarding:detail", checklist_id=checklist.pk)


@require_POST
def step_done(request, step_id: int):
    step = step_for_user(request.user, step_id)
    try:
        services.onboarding_step_complete(step=step, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{step.name}” is done.")
    return redirect("onboarding:detail", checklist_id=step.checklist_id)


@require_POST
def step_reopen(request, step_id: int):
    step = step_for_user(request.user, step_id)
    try:
        services.onboarding_step_reopen(step=step, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{step.name}” is open again.")
    return redirect("onboarding:detail", checklist_id=step.checklist_id)


def step_edit(request, step_id: int):
    step = step_for_user(request.user, step_id)
    _require_staff(request.user)
    initial = {"due_on": step.due_on, "not_applicable": step.not_applicable, "note": step.note}
    form = OnboardingStepForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.onboarding_step_update(step=step, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"“{step.name}” was updated.")
            return redirect("onboarding:detail", checklist_id=step.checklist_id)
    return render(request, "onboarding/step_form.html", {"form": form, "step": step})

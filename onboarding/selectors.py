"""Reads of onboarding checklists that pages share, through the tenant gate."""

from datetime import date

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from tenants.access import object_for_user

from .models import (
    CUSTOMER_PARTIES,
    OnboardingChecklist,
    OnboardingStep,
)

# --- reads -------------------------------------------------------------------------------------


def open_steps() -> Q:
    return Q(done_at__isnull=True, not_applicable=False)


def checklists_for_staff(*, today: date) -> QuerySet[OnboardingChecklist]:
    """Every checklist, those with overdue steps first (the longest overdue at the top), each
    with its counts and its overdue steps (``overdue_steps``)."""
    overdue = Q(steps__done_at__isnull=True, steps__not_applicable=False, steps__due_on__lt=today)
    return (
        OnboardingChecklist.objects.select_related("organisation")
        .annotate(
            overdue_count=Count("steps", filter=overdue),
            first_overdue_on=Min("steps__due_on", filter=overdue),
            open_count=Count(
                "steps", filter=Q(steps__done_at__isnull=True, steps__not_applicable=False)
            ),
            applicable_count=Count("steps", filter=Q(steps__not_applicable=False)),
        )
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=OnboardingStep.objects.filter(open_steps(), due_on__lt=today).order_by(
                    "due_on", "position"
                ),
                to_attr="overdue_steps",
            )
        )
        .order_by(F("first_overdue_on").asc(nulls_last=True), "organisation__name")
    )


def onboarding_summary(*, organisation_id: int) -> OnboardingChecklist | None:
    """The organisation's checklist with its step counts, for the customer's home page."""
    today = timezone.localdate()
    customer = Q(steps__responsible__in=[p.value for p in CUSTOMER_PARTIES])
    open_step = Q(steps__done_at__isnull=True, steps__not_applicable=False)
    return (
        OnboardingChecklist.objects.filter(organisation_id=organisation_id)
        .annotate(
            applicable_count=Count("steps", filter=Q(steps__not_applicable=False)),
            open_count=Count("steps", filter=open_step),
            customer_open_count=Count("steps", filter=open_step & customer),
            customer_overdue_count=Count(
                "steps", filter=open_step & customer & Q(steps__due_on__lt=today)
            ),
        )
        .first()
    )


def checklist_for_user(user, pk) -> OnboardingChecklist:
    """An onboarding checklist: the customer's own, or any for support staff; else 404."""
    return object_for_user(OnboardingChecklist.objects.select_related("organisation"), user, pk)


def step_for_user(user, pk) -> OnboardingStep:
    """A step of a checklist ``user`` may see; else 404."""
    return object_for_user(
        OnboardingStep.objects.select_related("checklist__organisation"),
        user,
        pk,
        organisation_path="checklist__organisation",
    )

"""Each person's landing page. ``home`` sits above every other app: it reads from them and
nothing imports it."""

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from onboarding.selectors import onboarding_summary
from tenants.access import scope_for_user
from tenants.models import Heartbeat, Tenant


def home(request):
    """The landing page, shaped by the signed-in person's role."""
    user = request.user
    context = {}
    if user.is_customer:
        context["tenants"] = scope_for_user(Tenant.objects.all(), user).order_by("name")
        context["onboarding"] = onboarding_summary(organisation_id=user.organisation_id)
        template = "home/customer.html"
    elif user.is_support_staff:
        context["heartbeat"] = Heartbeat.objects.filter(name="beat").first()
        context["now"] = timezone.now()
        context["organisation_count"] = Tenant.objects.aggregate(
            orgs=Count("organisation", distinct=True),
            production=Count("pk", filter=Q(kind=Tenant.Kind.PRODUCTION)),
            test=Count("pk", filter=Q(kind=Tenant.Kind.TEST)),
        )
        template = "home/staff.html"
    else:
        template = "home/other.html"
    return render(request, template, context)

"""Forms are drawn through Jinja2 (``lib.forms.FormRenderer``): the same HTML as Django's own
template engine draws, for every kind of widget the portal's forms use; templates only the
Django engine has (the admin's widgets) still render."""

import re

import pytest
from django.forms.renderers import DjangoTemplates
from django.test import override_settings

from lib.forms import FormRenderer
from tenants.models import Tenant
from tickets.forms import AgreeDeliveryForm, ResolveForm, SupportReplyForm, TicketForm


def _html(form) -> str:
    html = str(form)
    # Only the whitespace between tags may differ.
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def _forms(renderer, tenants):
    posted = {"kind": "incident", "priority": "P9", "subject": "a\nb", "tenant": "0"}
    return [
        TicketForm(
            tenants=tenants,
            priorities=["P1", "P2", "P3", "P4"],
            minor_request_days=5,
            renderer=renderer,
        ),
        TicketForm(
            posted,
            tenants=tenants,
            priorities=["P1", "P2", "P3", "P4"],
            minor_request_days=5,
            renderer=renderer,
        ),
        SupportReplyForm(initial={"version": 3}, prefix="reply", renderer=renderer),
        ResolveForm({"resolve-version": "x"}, prefix="resolve", renderer=renderer),
        AgreeDeliveryForm(
            {"agree_delivery-delivery_at": "soon"}, prefix="agree_delivery", renderer=renderer
        ),
    ]


def test_every_widget_draws_the_same_html_as_the_django_engine(org_a):
    tenants = Tenant.objects.filter(organisation=org_a.org).order_by("name")
    widget = FormRenderer().get_template("django/forms/widgets/input.html")
    assert type(widget).__module__ == "django.template.backends.jinja2"
    jinja = [_html(form) for form in _forms(FormRenderer(), tenants)]
    django = [_html(form) for form in _forms(DjangoTemplates(), tenants)]
    assert jinja == django
    # The forms above hold radios, selects, text, textareas, files, hidden and date inputs and
    # error lists: each kind was compared.
    joined = " ".join(jinja)
    for widget in ('type="radio"', "<select", "<textarea", 'type="file"', 'type="hidden"'):
        assert widget in joined, widget
    assert 'class="errorlist"' in joined


@override_settings(FORM_RENDERER="lib.forms.FormRenderer")
@pytest.mark.parametrize("name", ["admin/widgets/related_widget_wrapper.html"])
def test_a_template_only_the_django_engine_has_still_renders(name):
    template = FormRenderer().get_template(name)
    assert type(template).__module__ == "django.template.backends.django"

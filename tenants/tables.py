import django_tables2 as tables

from .models import User


class ContactTable(tables.Table):
    full_name = tables.LinkColumn(
        "tenants:contact_edit", args=[tables.A("pk")], verbose_name="Name"
    )
    email = tables.Column()
    contact_role = tables.Column(verbose_name="Role")
    phone = tables.Column(empty_values=(), default="—")
    is_active = tables.BooleanColumn(verbose_name="Active")

    class Meta:
        model = User
        fields = ("full_name", "email", "contact_role", "phone", "is_active")
        order_by = ("full_name",)
        empty_text = "Your organisation has no contacts yet."
        attrs = {"class": "table"}


class OnboardingTable(tables.Table):
    """Every onboarding checklist, overdue first (the order comes from the selector)."""

    organisation = tables.LinkColumn(
        "onboarding:detail", args=[tables.A("pk")], verbose_name="Customer"
    )
    signed_on = tables.DateColumn(verbose_name="Signed", format="j M Y")
    planned_go_live_on = tables.DateColumn(
        verbose_name="Planned go-live", format="j M Y", default="—"
    )
    progress = tables.Column(verbose_name="Steps done", accessor="pk", empty_values=())
    overdue = tables.TemplateColumn(
        template_name="tenants/onboarding/overdue_cell.html",
        verbose_name="Overdue steps",
        accessor="pk",
        empty_values=(),
    )

    class Meta:
        orderable = False
        empty_text = "No onboarding has started yet."
        attrs = {"class": "table"}

    def render_progress(self, record) -> str:
        done = record.applicable_count - record.open_count
        return f"{done} of {record.applicable_count}"

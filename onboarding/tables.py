import django_tables2 as tables

from lib.tables import DayColumn


class OnboardingTable(tables.Table):
    """Every onboarding checklist, overdue first (the order comes from the selector)."""

    organisation = tables.LinkColumn(
        "onboarding:detail", args=[tables.A("pk")], verbose_name="Customer"
    )
    signed_on = DayColumn(verbose_name="Signed")
    planned_go_live_on = DayColumn(verbose_name="Planned go-live", default="—")
    progress = tables.Column(verbose_name="Steps done", accessor="pk", empty_values=())
    overdue = tables.TemplateColumn(
        template_name="onboarding/overdue_cell.html",
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

import django_tables2 as tables
from django.utils.html import format_html

from lib.tables import InstantColumn, label_cells

from .models import Ticket


class CustomerTicketTable(tables.Table):
    number = tables.Column(
        accessor="pk",
        verbose_name="Ticket",
        linkify=("tickets:detail", {"ticket_id": tables.A("pk")}),
    )
    subject = tables.Column(linkify=("tickets:detail", {"ticket_id": tables.A("pk")}))
    tenant = tables.Column(accessor="tenant__name", verbose_name="Tenant")
    kind = tables.Column()
    priority = tables.Column(empty_values=(), default="—")
    status = tables.Column()
    submitter = tables.Column(accessor="submitter__full_name", verbose_name="Filed by")
    updated_at = InstantColumn(verbose_name="Last update")

    class Meta:
        model = Ticket
        fields = (
            "number",
            "subject",
            "tenant",
            "kind",
            "priority",
            "status",
            "submitter",
            "updated_at",
        )
        order_by = ("-updated_at",)
        empty_text = (
            "No tickets match. Use “File a ticket” to report an incident or request a change."
        )
        attrs = {"class": "table stack-on-phone"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_cells(self)

    def render_number(self, value):
        return f"#{value}"

    def render_priority(self, value, record):
        return (
            format_html('<span class="badge badge-{}">{}</span>', record.priority, value)
            if record.priority
            else "—"
        )

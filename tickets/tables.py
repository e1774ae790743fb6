"""The ticket list of customers (and of support staff looking at everything): one row per
ticket, drawn in one pass from the ``cell_*`` methods (``lib.tables.CellMethodsMixin``) and
exported through the columns' plain values."""

from html import escape

import django_tables2 as tables

from lib.formatting import when
from lib.tables import CellMethodsMixin, InstantColumn
from lib.urls import SLOT, reverse_each

from .models import Ticket


class CustomerTicketTable(CellMethodsMixin, tables.Table):
    number = tables.Column(accessor="pk", verbose_name="Ticket")
    subject = tables.Column()
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
        template_name = "tables/cells.html"
        attrs = {"class": "table stack-on-phone"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._detail_url = reverse_each("tickets:detail", SLOT)

    def _link(self, ticket: Ticket, text: str) -> str:
        url = self._detail_url(int(ticket.pk))
        return f'<a href="{url}">{escape(text)}</a>'

    # --- cells: each takes the ticket and returns its HTML, escaping the values it shows -----
    def cell_number(self, ticket: Ticket) -> str:
        return self._link(ticket, ticket.number)

    def cell_subject(self, ticket: Ticket) -> str:
        return self._link(ticket, ticket.subject)

    def cell_tenant(self, ticket: Ticket) -> str:
        return escape(ticket.tenant.name)

    def cell_kind(self, ticket: Ticket) -> str:
        return escape(ticket.get_kind_display())

    def cell_priority(self, ticket: Ticket) -> str:
        if not ticket.priority:
            return "—"
        return (
            f'<span class="badge badge-{escape(ticket.priority)}">'
            f"{escape(ticket.get_priority_display())}</span>"
        )

    def cell_status(self, ticket: Ticket) -> str:
        return escape(ticket.get_status_display())

    def cell_submitter(self, ticket: Ticket) -> str:
        return escape(ticket.submitter.full_name)

    def cell_updated_at(self, ticket: Ticket) -> str:
        return escape(when(ticket.updated_at))

    # --- CSV export: the words the page shows, without its markup ----------------------------
    def value_number(self, record: Ticket) -> str:
        return record.number

    def value_priority(self, record: Ticket) -> str:
        return record.get_priority_display() if record.priority else ""

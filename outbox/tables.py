import django_tables2 as tables

from lib.formatting import when
from lib.tables import InstantColumn

from .models import OutgoingMail


class UndeliveredTable(tables.Table):
    created_at = InstantColumn(verbose_name="Queued")
    subject = tables.Column()
    to = tables.Column(verbose_name="To", orderable=False)
    state = tables.Column()
    attempts = tables.Column()
    next_attempt_at = InstantColumn(verbose_name="Next attempt")
    last_error = tables.Column(verbose_name="Error", orderable=False, default="—")
    retry = tables.TemplateColumn(
        template_name="outbox/retry_cell.html", verbose_name="", orderable=False, empty_values=()
    )

    class Meta:
        model = OutgoingMail
        fields = (
            "created_at",
            "subject",
            "to",
            "state",
            "attempts",
            "next_attempt_at",
            "last_error",
        )
        orderable = False
        empty_text = "All mail has been delivered."
        attrs = {"class": "table"}

    def render_to(self, value: list[str]) -> str:
        return ", ".join(value)

    def render_next_attempt_at(self, record: OutgoingMail, value) -> str:
        if record.state != OutgoingMail.State.PENDING:
            return "—"
        return when(value)

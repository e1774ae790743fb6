import django_tables2 as tables
from django.utils import dateformat, timezone

from .models import OutgoingMail


class UndeliveredTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name="Queued", format="j M Y H:i")
    subject = tables.Column()
    to = tables.Column(verbose_name="To", orderable=False)
    state = tables.Column()
    attempts = tables.Column()
    next_attempt_at = tables.DateTimeColumn(verbose_name="Next attempt", format="j M Y H:i")
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
        return dateformat.format(timezone.localtime(value), "j M Y H:i")

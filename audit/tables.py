import django_tables2 as tables

from lib.tables import InstantColumn

from .models import AuditEvent


class AuditEventTable(tables.Table):
    at = InstantColumn(verbose_name="When")
    action = tables.Column(verbose_name="What")
    actor_label = tables.Column(verbose_name="Who", default="anonymous")
    target_label = tables.Column(verbose_name="On", default="—")
    ip_address = tables.Column(verbose_name="From", default="—")
    user_agent = tables.Column(verbose_name="Browser", default="—")

    class Meta:
        model = AuditEvent
        fields = ("at", "action", "actor_label", "target_label", "ip_address", "user_agent")
        orderable = False
        empty_text = "Nothing recorded matches these filters."
        attrs = {"class": "table"}

    def render_user_agent(self, value: str) -> str:
        return value if len(value) <= 60 else value[:59] + "…"

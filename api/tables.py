import django_tables2 as tables

from .models import ApiKey, WebhookDelivery, WebhookEndpoint


class ApiKeyTable(tables.Table):
    name = tables.Column()
    prefix = tables.Column(verbose_name="Key starts")
    user = tables.Column(verbose_name="Acts as", accessor="user__full_name")
    scope = tables.Column()
    created_at = tables.DateTimeColumn(verbose_name="Created", format="j M Y H:i")
    last_used_at = tables.DateTimeColumn(
        verbose_name="Last used", format="j M Y H:i", default="Never"
    )
    state = tables.TemplateColumn(
        template_name="api/key_state_cell.html", verbose_name="State", orderable=False
    )

    class Meta:
        model = ApiKey
        fields = ("name", "prefix", "user", "scope", "created_at", "last_used_at", "state")
        order_by = ("-created_at",)
        empty_text = "No API keys yet."
        attrs = {"class": "table"}


class EndpointTable(tables.Table):
    url = tables.LinkColumn(
        "integrations:webhook_detail", args=[tables.A("pk")], verbose_name="Address"
    )
    description = tables.Column(default="—")
    is_active = tables.BooleanColumn(verbose_name="On")
    last_state = tables.Column(verbose_name="Last delivery", default="None yet", orderable=False)
    last_status_code = tables.Column(verbose_name="Last answer", default="—", orderable=False)

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "is_active", "last_state", "last_status_code")
        empty_text = "No webhooks yet."
        attrs = {"class": "table"}

    def render_last_state(self, value) -> str:
        return WebhookDelivery.State(value).label


class DeliveryTable(tables.Table):
    created_at = tables.DateTimeColumn(
        accessor="event__occurred_at", verbose_name="Happened", format="j M Y H:i:s"
    )
    event_type = tables.Column(accessor="event__type", verbose_name="Type")
    ticket = tables.Column(accessor="event__ticket_id", verbose_name="Ticket", default="—")
    state = tables.Column()
    attempts = tables.Column()
    last_status_code = tables.Column(verbose_name="Last answer", default="—")
    last_attempt_at = tables.DateTimeColumn(
        verbose_name="Last attempt", format="j M Y H:i:s", default="—"
    )
    next_attempt_at = tables.DateTimeColumn(verbose_name="Next attempt", format="j M Y H:i:s")
    last_error = tables.Column(verbose_name="Error", default="")
    retry = tables.TemplateColumn(
        template_name="api/delivery_retry_cell.html", verbose_name="", orderable=False
    )

    class Meta:
        model = WebhookDelivery
        fields = (
            "created_at",
            "event_type",
            "ticket",
            "state",
            "attempts",
            "last_status_code",
            "last_attempt_at",
            "next_attempt_at",
            "last_error",
            "retry",
        )
        order_by = ("-created_at",)
        empty_text = "No deliveries yet: events of your tickets will appear here."
        attrs = {"class": "table"}

    def render_next_attempt_at(self, value, record):
        return value if record.state == WebhookDelivery.State.PENDING else "—"

    def render_last_error(self, value) -> str:
        return value[:200]

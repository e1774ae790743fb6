from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API and webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from events.services import on_events_committed

        from .webhooks.delivery import request_delivery

        # Events recorded by the tickets app reach their webhooks without the tickets app
        # knowing this one exists.
        on_events_committed(request_delivery)

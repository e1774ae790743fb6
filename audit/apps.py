from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Security audit log"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the auth and admin signal receivers)

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from .percentiles import register_sqlite_percentile

        connection_created.connect(register_sqlite_percentile, dispatch_uid="sqlite_percentile")

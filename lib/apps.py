from django.apps import AppConfig


class LibConfig(AppConfig):
    """Helpers every app uses. An app only so that its one admin default applies before the
    admin registers any model (it is listed before ``django.contrib.admin``)."""

    name = "lib"
    verbose_name = "Shared helpers"

    def ready(self) -> None:
        from .admin_widgets import use_precise_datetimes_in_admin

        use_precise_datetimes_in_admin()

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sessions"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (ends the sessions of deactivated people)

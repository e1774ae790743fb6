"""Sessions that know whose they are.

Django's database sessions keep the user id inside the signed, encoded session data, so there
is no way to find (and end) all sessions of one person. This session model adds the user as an
indexed column; ``accounts.services.sessions_end`` deletes them when a person is deactivated,
resets their password or loses their authenticator, so that an old session can never come back,
not even after the account is reactivated.
"""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class Session(AbstractBaseSession):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls):
        from .session_store import SessionStore

        return SessionStore

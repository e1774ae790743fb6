"""Sessions end with the access they stood for. Deactivation can happen in the contact pages, in
the admin or in a shell; catching every save of an inactive person is the one place that holds
for all of them, so a reactivated account never gets its old sessions back."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from .middleware import stamp_sign_in
from .services import sessions_end


@receiver(post_save, sender=get_user_model(), dispatch_uid="accounts_end_inactive_sessions")
def _end_sessions_of_inactive_people(sender, instance, created: bool, **kwargs) -> None:
    if not created and not instance.is_active:
        sessions_end(user=instance, reason="account deactivated")


@receiver(user_logged_in, dispatch_uid="accounts_stamp_sign_in")
def _stamp_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        stamp_sign_in(request, user)

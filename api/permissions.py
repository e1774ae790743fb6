"""What a key's scope allows. What its person may do to a ticket is ``tickets.permissions``'
alone; this only adds the key's own limit."""

from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission


class KeyScope(BasePermission):
    def has_permission(self, request, view) -> bool:
        key = request.auth
        if key is None:
            raise exceptions.NotAuthenticated(
                "Send an API key as “Authorization: Bearer <key>”.", code="not_authenticated"
            )
        if request.method not in SAFE_METHODS and not key.can_write:
            raise exceptions.PermissionDenied(
                f"The key {key.prefix} is read only; ask your admin for a read-and-write key.",
                code="key_read_only",
            )
        return True

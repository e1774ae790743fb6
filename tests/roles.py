"""The people the generated access tests sign in as, one per role."""

from django.test import Client

ROLES = (
    "anonymous",
    "contact_a",
    "contact_b",
    "customer_admin",
    "L1",
    "L2",
    "L3",
    "L4",
    "manager",
    "superuser",
)


def person(role: str, *, org_a, org_b, engineers, manager, superuser):
    if role == "anonymous":
        return None
    return {
        "contact_a": org_a.contact,
        "contact_b": org_b.contact,
        "customer_admin": org_a.admin,
        "manager": manager,
        "superuser": superuser,
    }.get(role) or engineers[role]


def client_for(role: str, *, api: bool = False, **people) -> Client:
    """A client signed in as ``role``'s person; for the API (``api``), one that carries a
    read-and-write API key acting as that person instead (anonymous: no key)."""
    client = Client(REMOTE_ADDR="192.0.2.10")
    user = person(role, **people)
    if user is not None:
        if api:
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_key_of(user)}"
        else:
            client.force_login(user)
    return client


def api_key_of(user) -> str:
    """A read-and-write key acting as ``user``, made once per test (the user objects are)."""
    secret = getattr(user, "_test_api_key", None)
    if secret is None:
        from django.utils import timezone

        from api import keys
        from api.models import ApiKey

        prefix, secret = keys.new_key()
        ApiKey.objects.create(
            name=f"Key of {user.email}",
            prefix=prefix,
            secret_hash=keys.key_hash(secret),
            scope=ApiKey.Scope.READ_WRITE,
            user=user,
            organisation_id=user.organisation_id,
            created_at=timezone.now(),
        )
        user._test_api_key = secret
    return secret


def is_api_route(route) -> bool:
    """Routes of the REST API answer API keys, not sessions."""
    return route.name.startswith("api:")

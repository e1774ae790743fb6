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


def client_for(role: str, **people) -> Client:
    client = Client(REMOTE_ADDR="192.0.2.10")
    user = person(role, **people)
    if user is not None:
        client.force_login(user)
    return client

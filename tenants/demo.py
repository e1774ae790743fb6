"""Demo organisations, tenants and people with fixed names that demos and acceptance scripts use."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import transaction

from .models import ContactRole, DataCentre, Organisation, SupportLevel, Tenant, User
from .preferences import default_time_zone
from .roles import ENGINEERS_GROUP, MANAGERS_GROUP, ensure_role_groups

DEMO_PASSWORD = "portal-demo-2026"

ORGANISATIONS = [
    # name, slug, contract signed, go-live, tenants [(name, kind, data centre)]; an organisation
    # without dates is still being onboarded (onboarding/demo.py signs and provisions it)
    (
        "Northwind",
        "northwind",
        date(2025, 3, 3),
        date(2025, 5, 12),
        [
            ("northwind-prod", Tenant.Kind.PRODUCTION, DataCentre.EU),
            ("northwind-test", Tenant.Kind.TEST, DataCentre.EU),
        ],
    ),
    (
        "Contoso",
        "contoso",
        date(2025, 6, 2),
        date(2025, 9, 1),
        [
            ("contoso-prod", Tenant.Kind.PRODUCTION, DataCentre.US_WEST),
            ("contoso-test", Tenant.Kind.TEST, DataCentre.US_WEST),
        ],
    ),
    (
        "Fabrikam",
        "fabrikam",
        date(2026, 1, 12),
        date(2026, 3, 30),
        [
            ("fabrikam-prod", Tenant.Kind.PRODUCTION, DataCentre.AU),
            ("fabrikam-za-prod", Tenant.Kind.PRODUCTION, DataCentre.AF),
            ("fabrikam-test", Tenant.Kind.TEST, DataCentre.AU),
        ],
    ),
    (
        "Litware",
        "litware",
        None,
        None,
        [
            ("litware-prod", Tenant.Kind.PRODUCTION, DataCentre.EU),
            ("litware-test", Tenant.Kind.TEST, DataCentre.EU),
        ],
    ),
]

CONTACTS = [
    # email, name, organisation slug, role, phone (numbers reserved for fiction)
    (
        "alice@northwind.example",
        "Alice Andersson",
        "northwind",
        ContactRole.MAIN,
        "+358 40 555 0101",
    ),
    ("bob@northwind.example", "Bob Berg", "northwind", ContactRole.CONTACT, "+358 40 555 0102"),
    (
        "nina@northwind.example",
        "Nina Nieminen",
        "northwind",
        ContactRole.TECHNICAL_ADMIN,
        "+358 40 555 0103",
    ),
    ("fred@northwind.example", "Fred Fors", "northwind", ContactRole.FINANCIAL, ""),
    ("carol@contoso.example", "Carol Chen", "contoso", ContactRole.MAIN, "+1 503 555 0123"),
    ("dave@contoso.example", "Dave Diaz", "contoso", ContactRole.CONTACT, "+1 503 555 0145"),
    ("erin@fabrikam.example", "Erin Evans", "fabrikam", ContactRole.MAIN, "+61 2 5550 1234"),
    (
        "tom@fabrikam.example",
        "Tom Tshabalala",
        "fabrikam",
        ContactRole.TECHNICAL_ADMIN,
        "+61 2 5550 1299",
    ),
    ("lena@litware.example", "Lena Lind", "litware", ContactRole.MAIN, "+358 40 555 0188"),
]

STAFF = [
    # email, name, level, group
    ("l1@support.example", "Liisa One", SupportLevel.L1, ENGINEERS_GROUP),
    ("l2@support.example", "Lauri Two", SupportLevel.L2, ENGINEERS_GROUP),
    ("l3@support.example", "Leena Three", SupportLevel.L3, ENGINEERS_GROUP),
    ("l4@support.example", "Lasse Four", SupportLevel.L4, ENGINEERS_GROUP),
    ("manager@support.example", "Maria Manager", "", MANAGERS_GROUP),
]

SUPERUSER = ("admin@support.example", "Ada Admin")


@dataclass
class Login:
    email: str
    role: str


def _user(email: str, **fields) -> User:
    user = User.objects.filter(email__iexact=email).first() or User(email=email)
    for key, value in fields.items():
        setattr(user, key, value)
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


@transaction.atomic
def seed_demo() -> list[Login]:
    """Create or refresh the demo data; running it again changes nothing but passwords."""
    groups = ensure_role_groups()
    orgs = {}
    for name, slug, signed, live, tenants in ORGANISATIONS:
        dates = {"contract_signed_on": signed, "go_live_on": live} if signed else {}
        org, _ = Organisation.objects.update_or_create(slug=slug, defaults={"name": name, **dates})
        orgs[slug] = org
        for tenant_name, kind, dc in tenants:
            # An onboarding in progress records its tenants' provisioning itself, once.
            provisioned = (
                {"provisioned_at": datetime.combine(signed, datetime.min.time(), UTC)}
                if signed
                else {}
            )
            Tenant.objects.update_or_create(
                name=tenant_name,
                defaults={"organisation": org, "kind": kind, "data_centre": dc, **provisioned},
            )
    logins = []
    for email, name, slug, role, phone in CONTACTS:
        user = _user(
            email,
            full_name=name,
            organisation=orgs[slug],
            contact_role=role,
            support_level="",
            phone=phone,
        )
        if not user.time_zone:
            # As a new contact starts: in their organisation's main data centre's zone.
            user.time_zone = default_time_zone(user)
            user.save(update_fields=["time_zone"])
        logins.append(Login(email, f"{ContactRole(role).label}, {orgs[slug].name}"))
    for email, name, level, group in STAFF:
        user = _user(
            email,
            full_name=name,
            organisation=None,
            contact_role="",
            support_level=level,
            is_staff=False,
        )
        user.groups.set([groups[group]])
        logins.append(Login(email, f"Support engineer {level}" if level else "Support manager"))
    email, name = SUPERUSER
    admin = _user(
        email, full_name=name, organisation=None, contact_role="", is_staff=True, is_superuser=True
    )
    admin.groups.set([groups[MANAGERS_GROUP]])
    logins.append(Login(email, "Administrator (Django admin)"))
    return logins

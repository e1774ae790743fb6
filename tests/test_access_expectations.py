"""Access control, proven route by route: every URL pattern of the portal (from Django's
resolver), for every role and method, answers the status declared for it in ``EXPECTED``.

A route added later fails ``test_every_route_has_a_declared_expectation`` until its row is
written here (and ``tests/routes.OBJECT_BUILDERS`` knows its URL arguments). Object ids name
organisation A's objects: ``contact_a`` and ``customer_admin`` belong to A, ``contact_b`` to B.
Each request runs in its own transaction that is rolled back, so that one role's POST cannot
change what the next role sees.

PUT, PATCH and DELETE are refused with 405 on every path (``lib.middleware.HttpMethodsMiddleware``);
the walk checks that for each route and role too.
"""

import pytest
from django.db import transaction

from .roles import ROLES, api_key_of, client_for, is_api_route, person
from .routes import all_routes, missing_builders, url_of

ENGINEERS = ("L1", "L2", "L3", "L4")


def row(anonymous, contact_a, contact_b, customer_admin, engineers, manager, superuser) -> dict:
    """Statuses by role; ``engineers`` is one status for L1–L4 alike."""
    statuses = {
        "anonymous": anonymous,
        "contact_a": contact_a,
        "contact_b": contact_b,
        "customer_admin": customer_admin,
        "manager": manager,
        "superuser": superuser,
    }
    statuses.update(dict.fromkeys(ENGINEERS, engineers))
    return statuses


def everyone(status: int, *, anonymous: int | None = None) -> dict:
    return row(anonymous or status, status, status, status, status, status, status)


def levels(statuses: dict, **by_level: int) -> dict:
    """``statuses`` with some engineers' levels answering otherwise (the ladder rule)."""
    return {**statuses, **by_level}


SIGN_IN = 302  # anonymous visitors are sent to the sign-in page
NO_KEY = 401  # the API answers a call without a key itself
# The API's object: organisation A's ticket, new, at L1, unassigned, filed by contact_a. Its
# POSTs carry no body: who may not act at all is refused first (403), then the body (400).
API_ONLY_POST = everyone(405, anonymous=NO_KEY)
LADDER = levels(row(NO_KEY, 403, 404, 403, 400, 400, 400), L2=403, L3=403, L4=403)
# (GET, POST) per route. The POSTs carry no data: a form that is refused says why (200/400).
EXPECTED: dict[str, tuple[dict, dict]] = {
    "home": (everyone(200, anonymous=SIGN_IN), everyone(200, anonymous=SIGN_IN)),
    # --- sign-in and passwords (open to everyone) ---
    "login": (everyone(200), everyone(200)),
    "logout": (everyone(405, anonymous=302), everyone(302)),
    "password_change": (everyone(200, anonymous=SIGN_IN), everyone(200, anonymous=SIGN_IN)),
    "password_change_done": (everyone(200, anonymous=SIGN_IN), everyone(405, anonymous=SIGN_IN)),
    "password_reset": (everyone(200), everyone(200)),
    "password_reset_done": (everyone(200), everyone(405)),
    "password_reset_confirm": (everyone(200), everyone(200)),
    "password_reset_complete": (everyone(200), everyone(405)),
    # --- two-factor and sign-in security ---
    # Customers have no authenticator: the code page sends them to set one up.
    "accounts:mfa_verify": (
        row(SIGN_IN, 302, 302, 302, 200, 200, 200),
        row(SIGN_IN, 302, 302, 302, 400, 400, 400),
    ),
    "accounts:mfa_setup": (everyone(200, anonymous=SIGN_IN), everyone(400, anonymous=SIGN_IN)),
    "accounts:security": (everyone(200, anonymous=SIGN_IN), everyone(405, anonymous=SIGN_IN)),
    "accounts:recovery_codes_renew": (
        everyone(405, anonymous=SIGN_IN),
        row(SIGN_IN, 302, 302, 302, 200, 200, 200),
    ),
    "accounts:mfa_remove": (everyone(405, anonymous=SIGN_IN), everyone(302)),
    "accounts:sessions_end_others": (everyone(405, anonymous=SIGN_IN), everyone(302)),
    "accounts:manage": (
        row(SIGN_IN, 403, 403, 403, 403, 200, 200),
        everyone(405, anonymous=SIGN_IN),
    ),
    "accounts:lockout_end": (
        everyone(405, anonymous=SIGN_IN),
        row(SIGN_IN, 403, 403, 403, 403, 404, 404),
    ),
    "accounts:mfa_reset": (
        everyone(405, anonymous=SIGN_IN),
        row(SIGN_IN, 403, 403, 403, 403, 400, 400),
    ),
    "audit:list": (
        row(SIGN_IN, 403, 403, 403, 403, 200, 200),
        row(SIGN_IN, 403, 403, 403, 403, 405, 405),
    ),
    # --- a person's own preferences ---
    "preferences": (everyone(200, anonymous=SIGN_IN), everyone(400, anonymous=SIGN_IN)),
    # --- contacts: customer admins of the organisation only ---
    "tenants:contact_list": (
        row(SIGN_IN, 403, 403, 200, 403, 403, 403),
        row(SIGN_IN, 403, 403, 200, 403, 403, 403),
    ),
    "tenants:contact_create": (
        row(SIGN_IN, 403, 403, 200, 403, 403, 403),
        row(SIGN_IN, 403, 403, 200, 403, 403, 403),
    ),
    "tenants:contact_edit": (
        row(SIGN_IN, 403, 403, 200, 403, 403, 403),
        row(SIGN_IN, 403, 403, 200, 403, 403, 403),
    ),
    "tenants:contact_set_active": (
        everyone(405, anonymous=SIGN_IN),
        row(SIGN_IN, 403, 403, 302, 403, 403, 403),
    ),
    # --- tickets ---
    "tickets:list": (everyone(200, anonymous=SIGN_IN), everyone(405, anonymous=SIGN_IN)),
    "tickets:create": (
        row(SIGN_IN, 200, 200, 200, 403, 403, 403),
        row(SIGN_IN, 400, 400, 400, 403, 403, 403),
    ),
    "tickets:detail": (
        row(SIGN_IN, 200, 404, 200, 200, 200, 200),
        row(SIGN_IN, 200, 404, 200, 200, 200, 200),
    ),
    # A customer action: staff may not take it; the other organisation does not find the ticket.
    "tickets:action": (
        everyone(405, anonymous=SIGN_IN),
        row(SIGN_IN, 400, 404, 400, 403, 403, 403),
    ),
    "tickets:attachment": (
        row(SIGN_IN, 200, 404, 200, 200, 200, 200),
        row(SIGN_IN, 200, 404, 200, 200, 200, 200),
    ),
    # --- support staff tools ---
    "sla:calculator": (
        row(SIGN_IN, 403, 403, 403, 200, 200, 200),
        row(SIGN_IN, 403, 403, 403, 200, 200, 200),
    ),
    "queue:list": (
        row(SIGN_IN, 403, 403, 403, 200, 200, 200),
        row(SIGN_IN, 403, 403, 403, 405, 405, 405),
    ),
    # --- onboarding: the customer's own checklist, every checklist for staff ---
    "onboarding:index": (
        row(SIGN_IN, 302, 200, 302, 200, 200, 200),
        row(SIGN_IN, 302, 200, 302, 200, 200, 200),
    ),
    "onboarding:start": (
        row(SIGN_IN, 403, 403, 403, 200, 200, 200),
        row(SIGN_IN, 403, 403, 403, 200, 200, 200),
    ),
    "onboarding:detail": (
        row(SIGN_IN, 200, 404, 200, 200, 200, 200),
        row(SIGN_IN, 200, 404, 200, 200, 200, 200),
    ),
    "onboarding:go_live": (
        everyone(405, anonymous=SIGN_IN),
        row(SIGN_IN, 403, 404, 403, 302, 302, 302),
    ),
    "onboarding:step_done": (
        everyone(405, anonymous=SIGN_IN),
        row(SIGN_IN, 302, 404, 302, 302, 302, 302),
    ),
    "onboarding:step_reopen": (
        everyone(405, anonymous=SIGN_IN),
        row(SIGN_IN, 302, 404, 302, 302, 302, 302),
    ),
    "onboarding:step_edit": (
        row(SIGN_IN, 403, 404, 403, 200, 200, 200),
        row(SIGN_IN, 403, 404, 403, 200, 200, 200),
    ),
    # --- SLA reports: managers; a customer's own summary ---
    **{
        name: (row(SIGN_IN, 403, 403, 403, 403, 200, 200), everyone(405, anonymous=SIGN_IN))
        for name in ("reports:sla", "reports:by", "reports:breaches", "reports:trend")
    },
    "reports:customer": (
        row(SIGN_IN, 200, 200, 200, 403, 403, 403),
        everyone(405, anonymous=SIGN_IN),
    ),
    # --- undelivered mail: managers ---
    "outbox:undelivered": (
        row(SIGN_IN, 403, 403, 403, 403, 200, 200),
        row(SIGN_IN, 403, 403, 403, 403, 405, 405),
    ),
    "outbox:retry": (
        everyone(405, anonymous=SIGN_IN),
        row(SIGN_IN, 403, 403, 403, 403, 302, 302),
    ),
    # --- availability: every signed-in person sees their own; staff record and schedule ---
    "availability:status": (everyone(200, anonymous=SIGN_IN), everyone(405, anonymous=SIGN_IN)),
    "availability:month": (everyone(200, anonymous=SIGN_IN), everyone(405, anonymous=SIGN_IN)),
    "availability:tenant": (
        row(SIGN_IN, 200, 404, 200, 200, 200, 200),
        everyone(405, anonymous=SIGN_IN),
    ),
    "availability:tenant_month": (
        row(SIGN_IN, 200, 404, 200, 200, 200, 200),
        everyone(405, anonymous=SIGN_IN),
    ),
    "availability:outage_list": (
        row(SIGN_IN, 403, 403, 403, 200, 200, 200),
        row(SIGN_IN, 403, 403, 403, 405, 405, 405),
    ),
    "availability:outage_create": (
        row(SIGN_IN, 403, 403, 403, 200, 200, 200),
        row(SIGN_IN, 403, 403, 403, 400, 400, 400),
    ),
    # A customer reads the outage behind a figure of theirs; only staff change it.
    "availability:outage_detail": (
        row(SIGN_IN, 200, 404, 200, 200, 200, 200),
        row(SIGN_IN, 403, 404, 403, 400, 400, 400),
    ),
    "availability:outage_end": (
        everyone(405, anonymous=SIGN_IN),
        row(SIGN_IN, 403, 404, 403, 400, 400, 400),
    ),
    "availability:maintenance_list": (
        row(SIGN_IN, 403, 403, 403, 200, 200, 200),
        everyone(405, anonymous=SIGN_IN),
    ),
    "availability:maintenance_open": (
        everyone(405, anonymous=SIGN_IN),
        row(SIGN_IN, 403, 403, 403, 302, 302, 302),
    ),
    "availability:maintenance_schedule": (
        row(SIGN_IN, 403, 403, 403, 403, 200, 200),
        row(SIGN_IN, 403, 403, 403, 403, 400, 400),
    ),
    "availability:window_detail": (
        row(SIGN_IN, 200, 404, 200, 200, 200, 200),
        everyone(405, anonymous=SIGN_IN),
    ),
    **{
        name: (
            everyone(405, anonymous=SIGN_IN),
            row(SIGN_IN, 403, 404, 403, 400, 400, 400),
        )
        for name in (
            "availability:window_used",
            "availability:window_move",
            "availability:window_cancel",
        )
    },
    # Customers choose their maintenance notices; staff have none to choose.
    "availability:notices": (
        row(SIGN_IN, 200, 200, 200, 403, 403, 403),
        row(SIGN_IN, 400, 400, 400, 403, 403, 403),
    ),
    "availability:statement_index": (
        row(SIGN_IN, 403, 403, 403, 403, 200, 200),
        everyone(405, anonymous=SIGN_IN),
    ),
    # --- the REST API: API keys (no key: 401); the schema and its docs are public ---
    "api:schema": (everyone(200), everyone(405)),
    "api:not_found": (everyone(404), everyone(404)),
    "api:docs": (everyone(200), everyone(405)),
    "api:me": (everyone(200, anonymous=NO_KEY), API_ONLY_POST),
    "api:tenants": (everyone(200, anonymous=NO_KEY), API_ONLY_POST),
    "api:queue": (row(NO_KEY, 403, 403, 403, 200, 200, 200), API_ONLY_POST),
    "api:tickets": (everyone(200, anonymous=NO_KEY), everyone(400, anonymous=NO_KEY)),
    "api:ticket_detail": (row(NO_KEY, 200, 404, 200, 200, 200, 200), API_ONLY_POST),
    "api:ticket_attachment": (row(NO_KEY, 200, 404, 200, 200, 200, 200), API_ONLY_POST),
    "api:ticket_reply": (
        API_ONLY_POST,
        levels(row(NO_KEY, 400, 404, 400, 400, 400, 400), L2=403, L3=403, L4=403),
    ),
    "api:ticket_note": (API_ONLY_POST, row(NO_KEY, 403, 404, 403, 400, 400, 400)),
    "api:ticket_take": (
        API_ONLY_POST,
        levels(row(NO_KEY, 403, 404, 403, 403, 403, 403), L1=400),
    ),
    "api:ticket_assign": (API_ONLY_POST, row(NO_KEY, 403, 404, 403, 403, 400, 400)),
    **{
        f"api:ticket_{name}": (API_ONLY_POST, LADDER)
        for name in (
            "reclassify",
            "agree_delivery",
            "escalate",
            "hand_back",
            "confirm_product_defect",
            "wait_for_customer",
            "resume",
            "resolve",
            "close",
        )
    },
    "api:ticket_confirm": (API_ONLY_POST, row(NO_KEY, 400, 404, 400, 403, 403, 403)),
    "api:ticket_reopen": (API_ONLY_POST, row(NO_KEY, 400, 404, 400, 403, 403, 403)),
    # Only the contact who filed it withdraws it.
    "api:ticket_withdraw": (API_ONLY_POST, row(NO_KEY, 400, 404, 403, 403, 403, 403)),
    # --- API keys and webhooks: customer admins; staff keys: managers ---
    "integrations:index": (
        row(SIGN_IN, 403, 403, 200, 403, 200, 200),
        everyone(405, anonymous=SIGN_IN),
    ),
    "integrations:key_create": (
        row(SIGN_IN, 403, 403, 200, 403, 200, 200),
        row(SIGN_IN, 403, 403, 400, 403, 400, 400),
    ),
    # A manager manages staff keys, not a customer's: organisation A's key is not found.
    "integrations:key_revoke": (
        everyone(405, anonymous=SIGN_IN),
        row(SIGN_IN, 403, 403, 302, 403, 404, 404),
    ),
    "integrations:webhook_create": (
        row(SIGN_IN, 403, 403, 200, 403, 403, 403),
        row(SIGN_IN, 403, 403, 400, 403, 403, 403),
    ),
    "integrations:webhook_detail": (
        row(SIGN_IN, 403, 403, 200, 403, 403, 403),
        everyone(405, anonymous=SIGN_IN),
    ),
    **{
        name: (everyone(405, anonymous=SIGN_IN), row(SIGN_IN, 403, 403, 302, 403, 403, 403))
        for name in (
            "integrations:webhook_set_active",
            "integrations:webhook_ping",
            "integrations:delivery_retry",
        )
    },
    "availability:statement_preview": (
        row(SIGN_IN, 403, 404, 403, 403, 200, 200),
        everyone(405, anonymous=SIGN_IN),
    ),
}

ROUTES = all_routes()


def test_every_route_has_a_declared_expectation():
    undeclared = [r.name for r in ROUTES if r.name not in EXPECTED]
    assert not undeclared, f"declare the expected statuses of {undeclared} in EXPECTED"
    unbuilt = {r.name: missing_builders(r) for r in ROUTES if missing_builders(r)}
    assert not unbuilt, f"add builders to tests/routes.OBJECT_BUILDERS for {unbuilt}"
    stale = set(EXPECTED) - {r.name for r in ROUTES}
    assert not stale, f"{stale} are declared but no longer routed"


def test_the_table_covers_every_role():
    for name, (get, post) in EXPECTED.items():
        assert set(get) == set(post) == set(ROLES), name


@pytest.fixture
def people(org_a, org_b, engineers, manager, superuser):
    people = {
        "org_a": org_a,
        "org_b": org_b,
        "engineers": engineers,
        "manager": manager,
        "superuser": superuser,
    }
    # Keys exist before the walk: each request's transaction is rolled back.
    for role in ROLES:
        if (user := person(role, **people)) is not None:
            api_key_of(user)
    return people


def _status(role: str, method: str, url: str, people, *, api: bool = False) -> int:
    with transaction.atomic():
        status = getattr(client_for(role, api=api, **people), method)(url).status_code
        transaction.set_rollback(True)
    return status


@pytest.mark.parametrize("route", [r for r in ROUTES if r.name in EXPECTED], ids=lambda r: r.name)
def test_each_role_and_method_gets_the_declared_status(route, people):
    a = people["org_a"]
    # Every object of A exists before the walk, so no answer depends on the order of routes.
    for route_ in ROUTES:
        if not missing_builders(route_):
            url_of(route_, a)
    url = url_of(route, a)
    api = is_api_route(route)
    get, post = EXPECTED[route.name]
    observed, wanted = {}, {}
    for role in ROLES:
        for method, expected in (("get", get[role]), ("post", post[role])):
            observed[role, method] = _status(role, method, url, people, api=api)
            wanted[role, method] = expected
        for method in ("put", "delete"):
            observed[role, method] = _status(role, method, url, people, api=api)
            wanted[role, method] = 405
    wrong = {key: (observed[key], wanted[key]) for key in wanted if observed[key] != wanted[key]}
    assert not wrong, f"{url}: (observed, declared) {wrong}"

"""No request a browser can send gives a server error, and a refused POST saves nothing.

Generated from the portal itself, so that routes and forms added later are covered without
editing this file: every URL pattern (``tests/routes.all_routes``) is visited as each role that
may use it; the forms of every page (read from the rendered HTML) and the query parameters of
every list (its filterset's filters, plus paging, sorting and export) are filled by hypothesis
with random and hostile values: huge and negative numbers, dates in year 1 and 9999, unicode,
NUL, very long strings, wrong types, several values for one field, fields the form does not
have, and files.

Each example runs in a transaction that is rolled back. A POST counts as refused when it answers
with a client error, an error message, or a form shown again with its errors; then the number of rows of every model must
be what it was (the audit log, sessions and sign-in counters excepted: refusals are recorded).

``HYPOTHESIS_PROFILE=ci`` raises the number of examples per route.
"""

import os
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms import BaseForm
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .forms_on_pages import Form, forms_of
from .roles import client_for, is_api_route
from .routes import OBJECT_BUILDERS, all_routes, missing_builders, url_of
from .test_access_expectations import EXPECTED

settings.register_profile(
    "default",
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# One person per kind of access; the access table proves the others see the same pages.
FUZZ_ROLES = ("anonymous", "contact_a", "customer_admin", "L1", "manager")
# Rows written on purpose when a request is refused: the audit trail, sessions, sign-in counts.
LOG_MODELS = {
    "audit.auditevent",
    "accounts.session",
    "axes.accessattempt",
    "axes.accessattemptexpiration",
    "axes.accessfailurelog",
    "axes.accesslog",
    "admin.logentry",
}
PAGING_PARAMETERS = ("page", "per_page", "sort", "_export")

HOSTILE_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "0",
    "-1",
    "-99999999999999999999",
    "99999999999999999999999999999999",
    "1e400",
    "NaN",
    "-inf",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "9999-12-31 23:59:59",
    "0000-00-00",
    "2026-02-30",
    "2026-03-29T03:30",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "line\r\nBcc: victim@example.com",
    '=HYPERLINK("http://x")',
    "\u202e\u0645\u0631\u062d\u0628\u0627 😀",
    "x" * 10_000,
    "csv",
    "xlsx",
    "json",
    "true",
    "[]",
]
hostile = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
)
uploads = st.builds(
    lambda name, content: SimpleUploadedFile(name, content),
    st.sampled_from(["a.log", "shot.png", "x.exe", "../../x.txt", "n\x00.log", "é.pdf"]),
    st.one_of(st.binary(max_size=64), st.just(b"\x89PNG\r\n\x1a\n" + b"0" * 32)),
)


@dataclass(frozen=True)
class Target:
    route: str
    method: str
    fixed: tuple[tuple[str, str], ...]  # URL arguments that are not object ids (an action)
    fields: tuple[tuple[str, str, tuple[str, ...]], ...]  # name, kind, proposed values


_crawled: dict[str, list[Target]] = {}


def _get_routes():
    # The REST API answers JSON to keys, not forms to sessions: it is fuzzed from its OpenAPI
    # schema instead (tests/api/test_schema_fuzz.py).
    return [
        r
        for r in all_routes()
        if r.name in EXPECTED and not missing_builders(r) and not is_api_route(r)
    ]


def _target_of(form: Form) -> Target | None:
    try:
        match = resolve(form.action)
    except Resolver404:
        return None
    fixed = tuple(
        (k, str(v))
        for k, v in match.kwargs.items()
        if not (k in OBJECT_BUILDERS and (k.endswith("_id") or k in ("uidb64", "token")))
    )
    fields = tuple((f.name, f.kind, tuple(f.options)) for f in form.fields.values())
    return Target(match.view_name, form.method, fixed, fields)


def _crawl(role: str, people) -> list[Target]:
    """Every form on every page ``role`` may open."""
    if role not in _crawled:
        client = client_for(role, **people)
        targets: set[Target] = set()
        for route in _get_routes():
            if EXPECTED[route.name][0][role] != 200:
                continue
            url = url_of(route, people["org_a"])
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for form in forms_of(response.content.decode(), url):
                target = _target_of(form)
                if target is not None:
                    targets.add(target)
        _crawled[role] = sorted(targets, key=repr)
    return _crawled[role]


def _query_names(route, url: str) -> tuple[str, ...]:
    """The query parameters of a list page: its filterset's filters, paging, sort, export."""
    view_class = getattr(resolve(url).func, "view_class", None)
    filterset = getattr(view_class, "filterset_class", None)
    names = list(filterset.base_filters) if filterset else []
    return (*names, *PAGING_PARAMETERS)


def _targets(route, role: str, people) -> list[Target]:
    targets = [t for t in _crawl(role, people) if t.route == route.name]
    get, post = EXPECTED[route.name]
    if get[role] == 200:
        url = url_of(route, people["org_a"])
        names = {name for t in targets if t.method == "get" for name, _, _ in t.fields}
        names |= set(_query_names(route, url))
        targets.append(Target(route.name, "get", (), tuple((n, "text", ()) for n in sorted(names))))
    may_post = post[role] not in (403, 405) and not (role == "anonymous" and post[role] == 302)
    if may_post and not any(t.method == "post" for t in targets):
        # A form this role was not shown on any page (it appears only in some states, such as a
        # lockout or a finished step): post the names its views read, and hostile extras.
        names = ("token", "username", "person", "active", "value")
        targets.append(Target(route.name, "post", (), tuple((n, "text", ()) for n in names)))
    return targets


def _url(target: Target, route, people) -> str:
    a = people["org_a"]
    kwargs = dict(target.fixed)
    for name in route.kwargs:
        kwargs.setdefault(name, OBJECT_BUILDERS[name](a))
    return reverse(target.route, kwargs=kwargs)


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in LOG_MODELS and model._meta.managed
    }


def _refused(response) -> bool:
    """Refused: a client error, an error message, or a form shown again with its errors."""
    if response.status_code >= 400:
        return True
    queued = getattr(response.wsgi_request, "_messages", None)
    if any(m.level >= message_levels.ERROR for m in getattr(queued, "_queued_messages", [])):
        return True
    context = response.context or {}
    forms = (
        [value for value in context.flatten().values() if isinstance(value, BaseForm)]
        if hasattr(context, "flatten")
        else []
    )
    return any(form.is_bound and form.errors for form in forms)


@st.composite
def _request(draw, targets: list[Target], roles: list[str]):
    role = draw(st.sampled_from(roles))
    target = draw(st.sampled_from(targets[role]))
    data: dict[str, object] = {}
    for name, kind, options in target.fields:
        if not draw(st.booleans()) and kind != "hidden":
            continue  # fields may be missing
        if kind == "file":
            data[name] = draw(st.lists(uploads, max_size=3))
            continue
        choices = st.sampled_from(options) if options else hostile
        values = draw(st.lists(st.one_of(choices, hostile), min_size=1, max_size=2))
        data[name] = values if len(values) > 1 else values[0]
    extra = draw(
        st.dictionaries(
            st.sampled_from(["id", "pk", "level", "x" * 300, "\x00"]), hostile, max_size=2
        )
    )
    for key, value in extra.items():
        data.setdefault(key, value)
    return role, target, data


ROUTES = _get_routes()


@pytest.fixture
def people(org_a, org_b, engineers, manager, superuser):
    people = {
        "org_a": org_a,
        "org_b": org_b,
        "engineers": engineers,
        "manager": manager,
        "superuser": superuser,
    }
    for route in ROUTES:
        url_of(route, org_a)  # every object exists before pages are read
    _crawled.clear()  # object ids differ between tests on PostgreSQL
    return people


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_hostile_input_never_gives_a_server_error_and_a_refusal_saves_nothing(route, people):
    targets = {role: _targets(route, role, people) for role in FUZZ_ROLES}
    roles = [role for role in FUZZ_ROLES if targets[role]]
    if not roles:
        pytest.skip(f"no role of {FUZZ_ROLES} gets a page or form at {route.name}")

    @given(request=_request(targets, roles))
    def run(request):
        role, target, data = request
        url = _url(target, route, people)
        with transaction.atomic():
            client = client_for(role, **people)
            before = _row_counts() if target.method == "post" else None
            response = getattr(client, target.method)(url, data)
            assert response.status_code < 500, (role, target.method, url, data)
            if before is not None and _refused(response):
                after = _row_counts()
                changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
                assert not changed, (role, url, response.status_code, data, changed)
            transaction.set_rollback(True)

    run()


# Each field alone, with each of these: the values that break parsing, arithmetic and storage.
SWEEP_VALUES = [
    "",
    "\x00",
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999999999999999",
    "1e400",
    "NaN",
    "0001-01-01",
    "9999-12-31T23:59",
    "0001-01-01 00:00",
    "x" * 10_000,
    "\u202e😀",
    "line\r\nBcc: victim@example.com",
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_each_field_alone_with_each_hostile_value(route, people):
    """The systematic half of the search: one field at a time (others as the page proposes
    them), so that a value that breaks one field is not hidden behind another field's error."""
    seen: set[Target] = set()
    for role in FUZZ_ROLES:
        for target in _targets(route, role, people):
            # A form that several roles get alike is swept once; the random search above
            # varies the role.
            if target in seen:
                continue
            seen.add(target)
            url = _url(target, route, people)
            proposed = {
                name: options[-1]
                for name, kind, options in target.fields
                if options and kind != "file"
            }
            for name, kind, _ in target.fields:
                if kind == "file":
                    continue
                for value in SWEEP_VALUES:
                    data = {**proposed, name: value}
                    with transaction.atomic():
                        client = client_for(role, **people)
                        before = _row_counts() if target.method == "post" else None
                        response = getattr(client, target.method)(url, data)
                        assert response.status_code < 500, (role, target.method, url, name, value)
                        if before is not None and _refused(response):
                            after = _row_counts()
                            changed = {
                                k: (before[k], after[k]) for k in before if before[k] != after[k]
                            }
                            assert not changed, (role, url, name, value, changed)
                        transaction.set_rollback(True)

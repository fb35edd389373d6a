"""The permission matrix: every URL of the project, every role, three jurisdictions.

Who may use a URL comes from each module's `permissions.URLS` (see core/access.py, which also enforces
it); how the matrix calls each URL and what a permitted user gets, from each app's `tests/matrix.py`
(core/tests/matrix.py); which objects each user sees, from the visibility table below, written out by
hand rather than computed by the code under test.
"""
from http.cookies import SimpleCookie
from importlib import import_module

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from xiangcun.accounts import tokens
from xiangcun.accounts.models import Role
from xiangcun.core.access import declared
from xiangcun.core.models import Job
from xiangcun.core.tests.matrix import case_of
from xiangcun.core.tests.matrix import objects as module_objects
from xiangcun.divisions import services
from xiangcun.divisions.models import ChangeEvent, Edition, Proposal

SKIP_NAMESPACES = {"admin"}

# who sees what: "sg" objects lie in 松岗镇, "db" objects in 党坝乡, "x" is a county-level object
AREA = {"admin": {"sg", "db"}, "office": {"sg", "db"}, "minzheng": {"sg", "db"}, "caizheng": {"sg", "db"},
        "analyst": {"sg", "db"}, "songgang": {"sg"}, "dangba": {"db"}, "agent": {"sg"}}
COUNTY = {u: ({"x"} if AREA[u] == {"sg", "db"} else set()) for u in AREA}
# visibility rules a module may name for its own object kinds (tests/matrix.py OBJECTS)
RULES = {"area": AREA, "county": COUNTY, "public": {u: {"sg", "db", "x"} for u in AREA}}

VISIBLE = {
    "division": AREA, "village": AREA, "event": AREA,
    # "adm" is an administrator of the county: only administrators manage administrators' accounts
    "user": {**AREA, "admin": {"sg", "db", "adm"}},
    # statistics of a township: its own staff and the county, not a village agent
    "stats_scope": {**AREA, "agent": set()},
    "run": COUNTY, "proposal": COUNTY,
    "job": {u: ({"x"} if u in ("office", "admin") else set()) for u in AREA},
    "edition": {u: {"sg", "db"} for u in AREA},  # published national data
}


def url_names(patterns=None, prefix=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace in SKIP_NAMESPACES:
                continue
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name and "format" not in p.pattern.regex.groupindex:
            yield prefix + p.name


@pytest.fixture
def world(maerkang, unit, make_user, editions):
    county = maerkang
    users = {
        "admin": make_user("u_admin", Role.ADMIN, None),
        "office": make_user("u_office", Role.REFORM_OFFICE, county),
        "minzheng": make_user("u_minzheng", Role.DEPARTMENT, county, department="民政"),
        "caizheng": make_user("u_caizheng", Role.DEPARTMENT, county, department="财政"),
        "analyst": make_user("u_analyst", Role.ANALYST, county),
        "songgang": make_user("u_songgang", Role.TOWNSHIP, unit("松岗镇")),
        "dangba": make_user("u_dangba", Role.TOWNSHIP, unit("党坝乡")),
        "agent": make_user("u_agent", Role.VILLAGE_AGENT, unit("松岗村")),
    }
    run = services.run_reconciliation(editions[2019], editions[2020], "513201")
    objects = {
        "division": {"sg": unit("松岗村").pk, "db": unit("党坝村").pk},
        "event": {"sg": ChangeEvent.objects.get(successors=unit("松岗村"), type="merge").pk,
                  "db": ChangeEvent.objects.get(successors=unit("党坝村"), type="merge").pk},
        "run": {"x": run.pk},
        "proposal": {"x": Proposal.objects.filter(run=run).first().pk},
        "job": {"x": Job.objects.create(kind="nbs_import", title="导入", owner=users["office"]).pk},
        "user": {"sg": users["songgang"].pk, "db": users["dangba"].pk,
                 "adm": make_user("u_county_admin", Role.ADMIN, county).pk},
        "edition": {"sg": Edition.objects.get(year=2019).pk, "db": Edition.objects.get(year=2020).pk},
        "stats_scope": {"sg": "513201102", "db": "513201202"},
    }
    objects["village"] = objects["division"]
    # modules add their own object kinds: OBJECTS = {"kind": (rule, factory(users, unit) -> {label: pk})}
    for kind, (rule, factory) in module_objects().items():
        VISIBLE[kind] = RULES[rule] if isinstance(rule, str) else rule
        objects[kind] = factory(users, unit)
    return users, objects


def request(client, name, case, obj_value=None):
    query = dict(case.query)
    if case.obj == "stats_scope":
        url = reverse(name)
        query.update(scope=obj_value, **{"from": "2019-10-31", "to": "2020-06-30"})
    elif obj_value is not None:
        url = reverse(name, kwargs={"pk": obj_value, **case.kwargs})
    else:
        url = reverse(name)
    call = client.post if case.method == "post" else client.get
    return call(url, query, **case.headers).status_code


def sign_in_afresh(client, user, signed_in: dict):
    """`user` on a new session of its own, as `client.logout(); client.force_login(user)` gives: no URL sees what
    another left in the session. The sign-in itself (its signals: last_login, axes' log) runs once per user; later
    sessions are new sessions holding what it put in the first one."""
    if user.pk not in signed_in:
        client.logout()
        client.force_login(user)
        signed_in[user.pk] = dict(client.session.items())
        return
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session.update(signed_in[user.pk])
    session.save()
    client.cookies = SimpleCookie()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME].update({
        "max-age": None, "path": "/", "domain": settings.SESSION_COOKIE_DOMAIN,
        "secure": settings.SESSION_COOKIE_SECURE or None, "expires": None})


def test_every_url_is_declared():
    missing = sorted(set(url_names()) - set(declared()))
    assert not missing, f"URLs without a declaration in their module's permissions.URLS: {missing}"


def test_the_matrix(client, world):
    users, objects = world
    access_by_name = declared()
    failures, signed_in = [], {}
    for name in sorted(set(url_names())):
        access, case = access_by_name[name], case_of(name)
        for who, user in users.items():
            sign_in_afresh(client, user, signed_in)
            targets = objects[case.obj].items() if case.obj else [(None, None)]
            for label, value in targets:
                if not access.permits(user, case.method):
                    expected = 403
                elif label is None or label in VISIBLE[case.obj][who]:
                    expected = case.ok
                else:
                    expected = 404
                got = request(client, name, case, value)
                if got != expected:
                    failures.append(f"{name} as {who} on {label}: expected {expected}, got {got}")
    assert not failures, "\n".join(failures)


def test_signed_out_visitors_reach_only_public_urls(client, world):
    users, objects = world
    for name, access in declared().items():
        if name not in set(url_names()):
            continue
        case = case_of(name)
        value = next(iter(objects[case.obj].values())) if case.obj else None
        got = request(client, name, case, value)
        if access.public:
            assert got == case.ok, name
        else:
            assert got in (302, 401), f"{name} answered {got} to a signed-out visitor"


def test_the_api_answers_the_same_with_a_token(world):
    from rest_framework.test import APIClient

    users, objects = world
    for who in ("songgang", "dangba", "office"):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION="Token " + tokens.issue(users[who])[1])
        for label, pk in objects["division"].items():
            status = api.get(f"/api/v1/divisions/{pk}/").status_code
            assert status == (200 if label in AREA[who] else 404), (who, label)

"""Absurd query parameters never crash a page or an API endpoint: every URL of the project, as an
administrator and as a township user, with every query parameter its module reads set to 0, -1, 2^63,
'x', 0001-01-01, 9999-12-31, 1900 and a very long string, answers something other than a 500."""
import re
from functools import cache
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from xiangcun.core import params
from xiangcun.core.access import declared
from xiangcun.core.tests.matrix import case_of
from xiangcun.core.tests.test_matrix import url_names, world  # noqa: F401  (the matrix's users and objects)

APP_ROOT = Path(__file__).resolve().parents[2]
ABSURD = ["0", "-1", str(2**63), "x", "0001-01-01", "9999-12-31", "1900", "9" * 3000]
READS = re.compile(
    r"""(?:GET|query_params|\bg|\bp|\bf|\bq|\bparams|\bquery)\s*(?:\.get(?:list)?\(\s*|\[\s*)["'](\w+)["']"""
    r"""|params\.get_\w+\(\s*[\w.]+,\s*["'](\w+)["']""")


@cache
def parameters_read(app: str) -> frozenset[str]:
    """The query parameter names an app's code reads (views, API, dashboards …); read once per app, not per URL."""
    names = set()
    for path in (APP_ROOT / app).rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for match in READS.finditer(path.read_text(encoding="utf-8")):
            names.add(match.group(1) or match.group(2))
    return frozenset(names - {"csrfmiddlewaretoken", "next"})


def app_of(name: str) -> str:
    if ":" in name:
        return name.split(":")[0]
    return {"division": "divisions", "asset": "assets", "service": "services", "indicator": "indicators",
            "facilit": "facilities", "user": "accounts", "job": "core", "audit": "core", "body": "bodies"}.get(
        next((k for k in ("division", "asset", "service", "indicator", "facilit", "user", "job", "audit", "body")
              if name.startswith(k)), ""), "core")


def url_for(name, case, objects):
    if case.obj and case.obj != "stats_scope":
        value = next(iter(objects[case.obj].values()))
        return reverse(name, kwargs={"pk": value, **case.kwargs})
    return reverse(name)


def test_the_helper_refuses_absurd_values():
    for value in ("0", "-1", str(2**63), "x", "9" * 3000):
        with pytest.raises(params.BadParameter, match="参数 unit 的值"):
            params.get_id({"unit": value}, "unit")
    for value in ("0001-01-01", "9999-12-31", "x", "2024-13-01"):
        with pytest.raises(params.BadParameter, match="参数 from"):
            params.get_date({"from": value}, "from")
    for value in ("1900", "9999", "0", "x"):
        with pytest.raises(params.BadParameter, match="年份|四位"):
            params.get_year({"year": value}, "year")
    assert params.get_id({"unit": " 42 "}, "unit") == 42 and params.get_id({}, "unit", 7) == 7
    for value in ("nan", "inf", "1e30", "x", "-3", "200", "9" * 3000):
        with pytest.raises(params.BadParameter, match="参数 km 的值"):
            params.get_float({"km": value}, "km", 5.0, lo=0.5, hi=100)
    assert params.get_float({"km": "12.5"}, "km", 5.0, lo=0.5, hi=100) == 12.5 and params.get_float({}, "km", 5.0, lo=0.5, hi=100) == 5.0
    assert params.get_ids({"ids": "1,2"}, "ids") == [1, 2]


def crashes_of(world, settings, users_to_try, one_at_a_time):  # noqa: F811
    settings.DEBUG = False
    users, objects = world
    client = Client(raise_request_exception=False)
    crashes = []
    for who in users_to_try:
        client.force_login(users[who])
        for name in sorted(set(url_names())):
            access, case = declared()[name], case_of(name)
            if case.method != "get" or not access.permits(users[who], "GET"):
                continue
            url = url_for(name, case, objects)
            names = sorted(parameters_read(app_of(name)) | {"page", "scope", "year", "from", "to"})
            if one_at_a_time:  # so that an early refusal hides no later crash: peel the refused parameters off
                crash = peeled_crash(client, url, case, names, (str(2**63), "9999-12-31"))
            else:  # every parameter absurd at once, each absurd value in turn
                crash = next((c for c in (try_once(client, url, case, {n: v for n in names}) for v in ABSURD) if c), None)
            if crash:
                crashes.append(f"{who} {url} {crash}")
    return crashes


REFUSED = re.compile(r"参数 (\w+) 的值")


def try_once(client, url, case, query) -> str | None:
    """A crash's description, if the URL answers 5xx (one the URL declares as its answer is not a crash:
    /readyz answers 503 while no job worker beats)."""
    response = client.get(url, {**case.query, **query}, **case.headers)
    if response.status_code >= 500 and response.status_code != case.ok:
        shown = query if len(query) == 1 else f"all={next(iter(query.values()))[:20]}"
        return f"{shown}: {response.status_code}"
    return None


def peeled_crash(client, url, case, names, values) -> str | None:
    """Every parameter absurd at once; while the answer is a 400 naming one parameter (core.params' refusal),
    take that parameter off and ask again — so each parameter's parser meets the absurd value unless an
    earlier one crashed, in a handful of requests instead of one per parameter. A 400 that names no
    parameter falls back to one parameter at a time."""
    for value in values:
        query = {n: value for n in names}
        while query:
            response = client.get(url, {**case.query, **query}, **case.headers)
            if response.status_code >= 500 and response.status_code != case.ok:
                return f"{sorted(query)}={value[:20]}: {response.status_code}"
            if response.status_code != 400:
                break
            refused = REFUSED.search(response.content.decode(errors="replace"))
            if refused is None or refused.group(1) not in query:
                crash = next((c for c in (try_once(client, url, case, {n: value}) for n in query) if c), None)
                if crash:
                    return crash
                break
            del query[refused.group(1)]
    return None


@pytest.mark.django_db
def test_no_page_or_api_endpoint_answers_500_to_absurd_parameters(world, settings):  # noqa: F811
    crashes = crashes_of(world, settings, ("admin", "songgang"), one_at_a_time=False)
    assert not crashes, f"{len(crashes)} crashes:\n" + "\n".join(crashes)


@pytest.mark.django_db
def test_no_single_absurd_parameter_answers_500(world, settings):  # noqa: F811
    crashes = crashes_of(world, settings, ("admin",), one_at_a_time=True)
    assert not crashes, f"{len(crashes)} crashes:\n" + "\n".join(crashes)


BIG = str(2**63)


@pytest.mark.django_db
def test_the_probe_findings_answer_a_chinese_400(maerkang, make_user, settings):
    from xiangcun.accounts.models import Role

    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(make_user("root", Role.ADMIN, None))
    for url, query in [
        ("/divisions/", {"parent": BIG}), ("/services/", {"item": BIG}), ("/api/v1/indicator-values/", {"unit": BIG}),
        ("/facilities/scenarios/compare/", {"ids": BIG}), ("/audit/", {"from": "0001-01-01"}),
        ("/audit/", {"to": "9999-12-31"}), ("/services/measures/", {"to": "9999-12-31"}),
        ("/api/v1/service-cases/measures/", {"to": "9999-12-31"}),
        # a NUL character: PostgreSQL refuses any query that carries one (CI found it on the aggregate API)
        ("/api/v1/indicator-values/aggregate/", {"element": "x\x00y"}), ("/assets/", {"q": "\x00"}),
        # a list filter outside its choices is refused, not silently ignored (the list would show everything)
        ("/assets/", {"category": "火星基地"}), ("/api/v1/assets/", {"status": "x"}), ("/assets/export.xlsx", {"custody": "x"}),
        ("/services/", {"tab": "x"}), ("/api/v1/service-cases/", {"status": "x"}),
    ]:
        response = client.get(url, query)
        body = response.content.decode()
        assert response.status_code == 400, (url, query, response.status_code)
        name = next(iter(query)) if "scope" not in query else "year"
        assert f"参数 {name} 的值" in body, (url, body[:300])  # says which parameter, in Chinese
    # the dashboard explains a year outside its data and shows the latest year instead (issue 12, item 4)
    for year in ("2018", "1900"):
        response = client.get("/indicators/", {"scope": maerkang.pk, "year": year})
        assert response.status_code == 200 and 'id="year-notice"' in response.content.decode()

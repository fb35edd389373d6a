"""The REST API: token auth, the same scoping as the pages, JSON errors in Chinese, a valid schema."""
import pytest
from rest_framework.test import APIClient

from xiangcun.accounts import tokens
from xiangcun.accounts.models import Role


@pytest.fixture
def api(maerkang, unit, make_user):
    def client_for(user):
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION="Token " + tokens.issue(user)[1])
        return c

    return {
        "office": client_for(make_user("office", Role.REFORM_OFFICE, maerkang)),
        "songgang": client_for(make_user("songgang", Role.TOWNSHIP, unit("松岗镇"))),
        "anon": APIClient(),
    }


def test_a_token_is_issued_for_a_username_and_password(client, make_user, db):
    make_user("agent", Role.VILLAGE_AGENT)
    ok = client.post("/api/v1/auth/token/", {"username": "agent", "password": "pw-for-tests-1"})
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40
    bad = client.post("/api/v1/auth/token/", {"username": "agent", "password": "wrong"})
    assert bad.status_code == 400 and bad.json()["message"] == "用户名或密码不正确"


def test_without_a_token_the_api_answers_401_in_chinese(api):
    response = api["anon"].get("/api/v1/divisions/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated" and "令牌" in response.json()["message"]


def test_lists_are_scoped_paginated_and_filtered(api):
    data = api["office"].get("/api/v1/divisions/", {"level": 4}).json()
    assert data["count"] == 13 and "马尔康镇" in [d["name"] for d in data["results"]]
    abolished = api["office"].get("/api/v1/divisions/", {"level": 4, "status": "abolished"}).json()
    assert [d["name"] for d in abolished["results"]] == ["卓克基镇"]
    township = api["songgang"].get("/api/v1/divisions/", {"page_size": 1000}).json()
    names = {d["name"] for d in township["results"]}
    assert "松岗村" in names and "党坝乡" not in names and "马尔康镇" not in names


def test_objects_outside_the_jurisdiction_answer_404(api, unit):
    pk = unit("党坝乡").pk
    for path in (f"/api/v1/divisions/{pk}/", f"/api/v1/divisions/{pk}/lineage/", f"/api/v1/divisions/{pk}/successors/",
                 f"/api/v1/divisions/{pk}/tree/?date=2020-01-01"):
        response = api["songgang"].get(path)
        assert response.status_code == 404, path
        assert response.json() == {"code": "not_found", "message": "未找到该对象,或不在您的管辖范围内"}
    assert api["office"].get(f"/api/v1/divisions/{pk}/").status_code == 200


def test_tree_as_of_a_date_and_successors(api, unit):
    zhuokeji = unit("卓克基镇")
    county = unit("马尔康市")
    before = api["office"].get(f"/api/v1/divisions/{county.pk}/tree/", {"date": "2020-01-01", "page_size": 1000}).json()
    assert "卓克基镇" in {v["name"] for v in before["results"]}
    after = api["office"].get(f"/api/v1/divisions/{county.pk}/tree/", {"date": "2020-07-01", "page_size": 1000}).json()
    assert "卓克基镇" not in {v["name"] for v in after["results"]}
    succ = api["office"].get(f"/api/v1/divisions/{zhuokeji.pk}/successors/", {"date": "2021-01-01"}).json()
    assert [s["name"] for s in succ] == ["马尔康镇"]


def test_statistics_and_bad_parameters(api):
    ok = api["office"].get("/api/v1/division-stats/", {"scope": "513201", "from": "2019-10-31", "to": "2020-06-30"})
    assert ok.json()["text"].startswith("全市乡镇从14个减为13个")
    bad = api["office"].get("/api/v1/division-stats/", {"scope": "513201", "from": "2019-13-31", "to": "x"})
    assert bad.status_code == 400 and "不是有效日期" in bad.json()["message"]
    outside = api["songgang"].get("/api/v1/division-stats/", {"scope": "513201", "from": "2019-10-31", "to": "2020-06-30"})
    assert outside.status_code == 404 and "管辖范围" in outside.json()["message"]
    assert api["office"].get("/api/v1/divisions/", {"level": "x"}).status_code == 400
    assert api["office"].get("/api/v1/divisions/", {"kind": "castle"}).json()["code"] == "invalid"


def test_the_schema_is_served_and_valid(api):
    from drf_spectacular.validation import validate_schema

    response = api["office"].get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert "/api/v1/divisions/{id}/tree/" in schema["paths"]
    assert api["office"].get("/api/v1/docs/").status_code == 200


def test_the_schema_is_the_same_for_every_role_and_generated_once(api):
    """It is kept in memory (generating it walks every endpoint): so it must not depend on who asks."""
    from xiangcun.api_urls import SchemaView

    SchemaView.schemas.clear()
    mine = api["songgang"].get("/api/v1/openapi.json").content
    SchemaView.schemas.clear()
    assert api["office"].get("/api/v1/openapi.json").content == mine
    assert len(SchemaView.schemas) == 1 and api["songgang"].get("/api/v1/openapi.json").content == mine


def test_a_page_or_page_size_that_is_not_a_positive_number_is_refused_in_chinese(api):
    """Before, DRF silently served the default page for page_size=abc or -5: a client read the wrong rows."""
    for params in ({"page_size": "abc"}, {"page_size": "-5"}, {"page_size": "0"}, {"page_size": "5000"},
                   {"page": "-1"}, {"page": "1.5"}):
        response = api["office"].get("/api/v1/divisions/", params)
        assert response.status_code == 400, params
        name = next(iter(params))
        assert response.json()["code"] == "invalid" and f"参数 {name}" in response.json()["message"]
    assert len(api["office"].get("/api/v1/divisions/", {"page_size": "7", "page": "2"}).json()["results"]) == 7
    # blank is missing, as for every query parameter (a form's empty box): the first page
    first = api["office"].get("/api/v1/divisions/", {"page": "", "page_size": "7"}).json()["results"]
    assert first == api["office"].get("/api/v1/divisions/", {"page_size": "7"}).json()["results"]


def test_the_schema_states_the_limits_and_error_answers(api):
    schema = api["office"].get("/api/v1/openapi.json").json()
    listing = schema["paths"]["/api/v1/divisions/"]["get"]
    # a number may also be left blank (= not given): its limits are the first alternative
    params = {p["name"]: (p["schema"]["anyOf"][0] if "anyOf" in p["schema"] else p["schema"]) for p in listing["parameters"]}
    assert params["page_size"]["minimum"] == 1 and params["page_size"]["maximum"] == 1000
    assert params["level"]["enum"] == [1, 2, 3, 4, 5, 6]
    blank = next(p["schema"] for p in listing["parameters"] if p["name"] == "level")["anyOf"][1]
    assert blank == {"type": "string", "maxLength": 0}
    for status in ("400", "401", "403", "404", "429"):
        error = listing["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        assert error.endswith("/Error")
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "message"}
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert "otp" in schema["components"]["schemas"]["TokenRequestRequest"]["properties"]
    assert "401" not in token["responses"] and "429" in token["responses"]

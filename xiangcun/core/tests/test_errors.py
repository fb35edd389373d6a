"""Error pages as users meet them with DEBUG off: Chinese, in the site's layout, with a way back;
JSON {"code", "message"} under /api/."""
import json

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from xiangcun.accounts import tokens
from xiangcun.accounts.models import Role
from xiangcun.core import errors
from xiangcun.core.tests import urls_errors

pytestmark = pytest.mark.urls("xiangcun.core.tests.urls_errors")


@pytest.fixture(autouse=True)
def _test_views_declared(monkeypatch):
    urls_errors.declare(monkeypatch)


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


@pytest.fixture
def quiet_client():
    """A client that gets the 500 page like a browser instead of the exception."""
    return Client(raise_request_exception=False)


def test_an_unknown_page_answers_a_chinese_404_in_the_layout_with_a_way_home(client, make_user):
    client.force_login(make_user("clerk", Role.TOWNSHIP))
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and "不在您的管辖范围内" in page
    assert "Not Found" not in page and "The requested resource" not in page
    assert f'href="{reverse("workbench:home")}">返回首页' in page
    assert "模块导航" in page and "退出" in page  # the signed-in layout: navigation, sign-out


def test_an_object_outside_the_jurisdiction_gets_the_same_chinese_404(client, make_user):
    client.force_login(make_user("clerk", Role.TOWNSHIP))
    response = client.get(reverse("core:job", args=[999999]))
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    assert "No Job matches" not in response.content.decode()


def test_a_signed_out_visitor_on_an_unknown_page_is_offered_the_login(client, db):
    page = client.get("/no-such-page/").content.decode()
    assert "页面不存在" in page and f'href="{reverse("accounts:login")}"' in page and "模块导航" not in page


def test_a_refusal_shows_the_views_chinese_reason(client, make_user):
    client.force_login(make_user("clerk", Role.TOWNSHIP))
    response = client.get(reverse("accounts:users"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in page and "您的角色不能管理用户" in page
    assert "403 Forbidden" not in page and "返回首页" in page


def test_a_refusal_without_a_chinese_reason_shows_a_chinese_one(client, make_user):
    client.force_login(make_user("clerk", Role.TOWNSHIP))
    response = client.get("/english-denial/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "您没有权限访问此页面" in page and "Forbidden by policy" not in page


def test_a_failed_csrf_check_is_explained_in_chinese(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("root", Role.ADMIN))
    response = client.post(reverse("accounts:user_new"), {"username": "x"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in page and "CSRF verification failed" not in page


def test_a_bad_host_gets_a_chinese_400(client, db):
    response = client.get("/", HTTP_HOST="evil.example.com")
    page = response.content.decode()
    assert response.status_code == 400
    assert "请求有误" in page and "Bad Request" not in page


def test_a_crash_shows_a_self_contained_chinese_500(quiet_client, make_user):
    quiet_client.force_login(make_user("clerk", Role.TOWNSHIP))
    response = quiet_client.get("/boom/", HTTP_X_REQUEST_ID="req-500-abc")
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器内部错误" in page and 'href="/">返回首页' in page
    assert f"请求编号:{response['X-Request-Id']}" in page  # what the user quotes to the administrator
    assert "req-500-abc" not in page  # the server's id, not the one the client sent
    assert "Server Error" not in page and "the database went away" not in page
    assert "<link" not in page and "<script" not in page  # nothing else to load


def test_the_500_page_needs_neither_the_database_nor_the_context_processors(settings):
    # no db fixture: pytest-django refuses every query, so one would fail this test
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "OPTIONS": {
        "context_processors": ["xiangcun.core.tests.test_errors.broken_processor"]}}]
    request = RequestFactory().get("/somewhere/")
    response = errors.server_error(request)
    assert response.status_code == 500 and "服务器内部错误" in response.content.decode()


def broken_processor(request):
    raise RuntimeError("a context processor that needs the database")


def test_the_500_page_comes_out_even_if_its_template_cannot_be_rendered(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False}]
    response = errors.server_error(RequestFactory().get("/somewhere/"))
    assert response.status_code == 500 and "服务器内部错误" in response.content.decode()


# --- the API: always JSON ----------------------------------------------------------------------------

def api_json(response):
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_an_unknown_api_path_answers_json_like_every_api_error(client, make_user):
    token = tokens.issue(make_user("clerk", Role.TOWNSHIP))[1]
    for path in ("/api/v1/no-such-resource/", "/api/v1/divisions/1/no-such-action/", "/api/v2/"):
        response = client.get(path, HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 404, path
        assert api_json(response) == {"code": "not_found", "message": "未找到该对象,或不在您的管辖范围内"}, path
    # without a token too: nothing there, said in the API's terms
    assert api_json(client.get("/api/v1/no-such-resource/"))["code"] == "not_found"


def test_a_crash_under_the_api_answers_json(quiet_client, make_user):
    token = tokens.issue(make_user("clerk", Role.TOWNSHIP))[1]
    response = quiet_client.get("/api/v1/boom/", HTTP_AUTHORIZATION=f"Token {token}")
    body = api_json(response)
    assert response.status_code == 500
    assert body["code"] == "server_error" and "服务器内部错误" in body["message"]
    assert "a bug in a viewset" not in response.content.decode()

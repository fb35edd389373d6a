"""The declaration is the enforcement (core.access): pages and the API answer 403 unless the URL's
declaration in its module's permissions.URLS lets the user's role use it, and a URL nobody declared
is refused (fail closed)."""
import pytest
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from xiangcun.accounts import tokens
from xiangcun.accounts.models import Role
from xiangcun.core.access import Access, DeclaredPermission, declared
from xiangcun.urls import handler403  # noqa: F401
from xiangcun.urls import urlpatterns as project


def open_page(request):
    return HttpResponse("开放页面")


class OpenApi(APIView):
    def get(self, request):
        return Response({"ok": True})

    def post(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("open/", open_page, name="test-open"),
    path("undeclared/", open_page, name="test-undeclared"),
    path("unnamed/", open_page),
    path("api/v1/open/", OpenApi.as_view(), name="test-api-open"),
    path("api/v1/undeclared/", OpenApi.as_view(), name="test-api-undeclared"),
    *project,
]

pytestmark = pytest.mark.urls(__name__)


def nobody(user):
    return False


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


@pytest.fixture
def clerk(client, make_user):
    user = make_user("clerk", Role.TOWNSHIP)
    client.force_login(user)
    return user


def declare(monkeypatch, name, access):
    monkeypatch.setitem(declared(), name, access)


def test_a_page_without_a_declaration_is_refused(client, clerk, make_user, monkeypatch):
    declare(monkeypatch, "test-open", Access())
    assert client.get("/open/").status_code == 200
    for url in ("/undeclared/", "/unnamed/"):  # a view that nobody declared, with a name or without
        response = client.get(url)
        assert response.status_code == 403, url
        page = response.content.decode()
        assert "无权访问" in page and "未声明访问权限" in page and "开放页面" not in page
    client.force_login(make_user("root", Role.ADMIN))  # whatever the role
    assert client.get("/undeclared/").status_code == 403


def test_the_page_middleware_consults_the_declaration(client, clerk, monkeypatch):
    declare(monkeypatch, "test-open", Access(allowed=nobody, denied="测试:该角色不能使用此页"))
    response = client.get("/open/")
    assert response.status_code == 403
    assert "测试:该角色不能使用此页" in response.content.decode() and "开放页面" not in response.content.decode()
    # a real, otherwise open page of the project is blocked as soon as its declaration says no
    assert client.get(reverse("core:jobs")).status_code == 200
    declare(monkeypatch, "core:jobs", Access(allowed=nobody))
    response = client.get(reverse("core:jobs"))
    assert response.status_code == 403 and "您的角色不能执行该操作" in response.content.decode()


def test_a_write_rule_refuses_only_unsafe_methods(client, clerk, monkeypatch):
    declare(monkeypatch, "test-open", Access(write=nobody, denied="测试:只读"))
    assert client.get("/open/").status_code == 200
    assert client.head("/open/").status_code == 200
    response = client.post("/open/")
    assert response.status_code == 403 and "测试:只读" in response.content.decode()


def test_the_real_write_rules_refuse_a_reader_in_chinese(client, clerk):
    # 区划版次: everyone reads, only editors import; 节假日: everyone reads, the reform office registers
    for name, reason in (("divisions:editions", "您的角色不能导入版次"), ("services:holidays", "您的角色不能执行该操作")):
        assert client.get(reverse(name)).status_code == 200
        response = client.post(reverse(name), {"date": "2024-10-01", "name": "国庆节"})
        assert response.status_code == 403, name
        assert reason in response.content.decode()


def test_a_signed_out_visitor_is_sent_to_the_login_before_any_role_check(client, db, monkeypatch):
    declare(monkeypatch, "test-open", Access(allowed=nobody))
    response = client.get("/open/")
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_api_refuses_an_undeclared_url_and_follows_the_declaration(make_user, monkeypatch):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + tokens.issue(make_user("clerk", Role.TOWNSHIP))[1])
    response = api.get("/api/v1/undeclared/")
    assert response.status_code == 403 and "未声明访问权限" in response.json()["message"]

    declare(monkeypatch, "test-api-open", Access())
    assert api.get("/api/v1/open/").status_code == 200
    declare(monkeypatch, "test-api-open", Access(write=nobody, denied="测试:只读接口"))
    assert api.get("/api/v1/open/").status_code == 200
    response = api.post("/api/v1/open/", {})
    assert response.status_code == 403 and response.json()["message"] == "测试:只读接口"
    declare(monkeypatch, "test-api-open", Access(allowed=nobody))
    assert api.get("/api/v1/open/").status_code == 403
    assert APIClient().get("/api/v1/open/").status_code == 401  # signed out: not authenticated, not 403

    # a real endpoint, with a token: the declaration decides
    assert api.get("/api/v1/divisions/").status_code == 200
    declare(monkeypatch, "division-list", Access(allowed=nobody, denied="测试:不能读区划"))
    response = api.get("/api/v1/divisions/")
    assert response.status_code == 403 and response.json()["message"] == "测试:不能读区划"


def test_the_api_write_rules_of_the_project(make_user):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + tokens.issue(make_user("clerk", Role.TOWNSHIP))[1])
    assert api.get("/api/v1/service-cases/").status_code == 200
    response = api.post("/api/v1/service-cases/", {})
    assert response.status_code == 403 and response.json()["message"] == "只有村代办员可以受理代办件"
    response = api.post("/api/v1/service-points/", {})
    assert response.status_code == 403 and "维护服务网络" in response.json()["message"]


def api_views(patterns=None, prefix=""):
    for p in patterns if patterns is not None else get_resolver("xiangcun.urls").url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace != "admin":
                yield from api_views(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
        elif isinstance(p, URLPattern) and isinstance(getattr(p.callback, "cls", None), type) \
                and issubclass(p.callback.cls, APIView):
            yield prefix + (p.name or str(p.pattern)), p.callback


def test_every_api_view_checks_its_declaration(db):
    """DRF views escape the page middleware: each must carry DeclaredPermission, unless it is declared public."""
    seen = 0
    for name, callback in api_views():
        view = callback.cls(**getattr(callback, "initkwargs", {}))
        classes = [type(p) for p in view.get_permissions()]
        if declared().get(name, Access()).public:
            continue
        seen += 1
        assert DeclaredPermission in classes, f"{name} does not check its declaration: {classes}"
    assert seen > 20

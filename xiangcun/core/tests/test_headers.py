"""Request ids are the server's own, and every response — lock-out, error pages, static files,
API errors — carries the security headers (core.middleware)."""
import pytest
from django.test import Client
from django.urls import reverse

from xiangcun.accounts.models import Role
from xiangcun.core.audit import AuditEntry
from xiangcun.core.tests import urls_errors

pytestmark = pytest.mark.urls("xiangcun.core.tests.urls_errors")


@pytest.fixture(autouse=True)
def _test_views_declared(monkeypatch):
    urls_errors.declare(monkeypatch)

HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
           "Cross-Origin-Opener-Policy", "Permissions-Policy", "X-Request-Id")


def assert_secured(response):
    missing = [h for h in HEADERS if not response.has_header(h)]
    assert not missing, f"{response.status_code} response without {missing}"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp and "frame-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"


def test_a_client_cannot_choose_the_request_id_of_its_audit_entries(client, make_user, settings):
    settings.DEBUG = False
    office = make_user("office", Role.ADMIN)
    other = make_user("other", Role.ADMIN)
    client.force_login(office)
    ids = []
    for name in ("a1", "a2"):  # two changes sent with the same client id
        response = client.post(reverse("accounts:user_edit", args=[other.pk]), {
            "username": "other", "display_name": name, "role": "admin", "is_active": "on"},
            HTTP_X_REQUEST_ID="shared-id")
        assert response.status_code == 302
        assert response["X-Client-Request-Id"] == "shared-id"  # kept, but only as the client's own
        ids.append(response["X-Request-Id"])
    assert ids[0] != ids[1] and "shared-id" not in ids
    assert not AuditEntry.objects.filter(request_id="shared-id").exists()
    assert AuditEntry.objects.filter(request_id=ids[0]).count() >= 1
    assert AuditEntry.objects.filter(request_id=ids[1]).count() >= 1


def test_a_malformed_client_request_id_is_dropped(client, db):
    response = client.get(reverse("accounts:login"), HTTP_X_REQUEST_ID="<script>" + "x" * 200)
    assert not response.has_header("X-Client-Request-Id") and len(response["X-Request-Id"]) == 32


def test_the_lockout_page_carries_the_security_headers(client, make_user, settings):
    make_user("clerk", Role.TOWNSHIP)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "clerk", "password": "wrong-password"})
    locked = client.post(reverse("accounts:login"), {"username": "clerk", "password": "pw-for-tests-1"})
    assert locked.status_code == 429 and "账号已暂时锁定" in locked.content.decode()
    assert_secured(locked)


def test_error_pages_static_files_and_api_errors_carry_the_security_headers(make_user, settings):
    settings.DEBUG = False
    quiet = Client(raise_request_exception=False)
    assert_secured(quiet.get("/no-such-page/"))  # anonymous: redirect to login
    quiet.force_login(make_user("clerk", Role.TOWNSHIP))
    for url, status in (("/no-such-page/", 404), ("/boom/", 500), ("/english-denial/", 403),
                        ("/api/v1/boom/", 500), ("/api/v1/no-such/", 404), ("/static/xiangcun/map.js", 200)):
        response = quiet.get(url)
        assert response.status_code == status, url
        assert_secured(response)
    csrf = Client(enforce_csrf_checks=True, raise_request_exception=False)
    refused = csrf.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert refused.status_code == 403
    assert_secured(refused)

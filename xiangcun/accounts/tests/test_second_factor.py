"""The TOTP second factor cannot be bypassed: not by the admin site's login, not by the API token
endpoint, not by guessing (wrong codes lock it), not by replaying a code, not by turning it off."""
import time

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from xiangcun.accounts.models import Role, User
from xiangcun.core.audit import AuditEntry

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def root(make_user):
    """An administrator with TOTP enabled (also a Django admin-site user)."""
    return make_user("root", Role.ADMIN, is_staff=True, is_superuser=True,
                     totp_secret=pyotp.random_base32(), totp_enabled=True)


def code(user, offset=0):
    return pyotp.TOTP(user.totp_secret).at(time.time() + offset)


def signed_in(client):
    return "_auth_user_id" in client.session


def test_the_admin_site_login_takes_no_password_alone(root):
    client = Client()
    response = client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD,
                                                    "next": "/admin/"})
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302  # back to the sign-in
    # the admin site's login sends people to the platform's, which asks for the code
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    form = client.get(reverse("admin:login") + "?next=/admin/", follow=True)
    assert form.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    step = client.post(reverse("accounts:login") + "?next=/admin/", {"username": "root", "password": PASSWORD})
    assert step["Location"] == reverse("accounts:otp") and not signed_in(client)
    done = client.post(reverse("accounts:otp"), {"code": code(root)})
    assert done["Location"] == "/admin/" and client.get("/admin/").status_code == 200


def test_a_session_signed_in_without_the_code_reaches_no_page(root):
    """Whatever signs a session in without the code (here: directly, as the admin site's own form
    did), the user with TOTP reaches nothing: no page, no admin page, no API call."""
    client = Client()
    client.force_login(root)
    assert client.get(reverse("workbench:home")).status_code == 302
    assert not signed_in(client)
    client.force_login(root)
    assert client.get("/admin/").status_code == 302
    client.force_login(root)
    assert client.get("/api/v1/divisions/").status_code == 401


def test_the_api_token_needs_the_code(root):
    client = Client()
    alone = client.post("/api/v1/auth/token/", {"username": "root", "password": PASSWORD})
    assert alone.status_code == 400 and alone.json()["code"] == "otp_required"
    assert "动态口令" in alone.json()["message"] and "token" not in alone.json()
    wrong = client.post("/api/v1/auth/token/", {"username": "root", "password": PASSWORD, "otp": "000000"})
    assert wrong.status_code == 400 and "动态口令不正确" in wrong.json()["message"]
    ok = client.post("/api/v1/auth/token/", {"username": "root", "password": PASSWORD, "otp": code(root)})
    assert ok.status_code == 200 and ok.json()["token"]
    assert not root.api_tokens.filter(revoked_at__isnull=True).count() > 1
    works = Client(HTTP_AUTHORIZATION=f"Token {ok.json()['token']}").get("/api/v1/divisions/")
    assert works.status_code == 200


def test_a_code_is_accepted_once(root):
    first = Client()
    first.post(reverse("accounts:login"), {"username": "root", "password": PASSWORD})
    used = code(root)
    assert first.post(reverse("accounts:otp"), {"code": used}).status_code == 302 and signed_in(first)
    second = Client()
    second.post(reverse("accounts:login"), {"username": "root", "password": PASSWORD})
    replay = second.post(reverse("accounts:otp"), {"code": used})
    assert "已使用过" in replay.content.decode() and not signed_in(second)
    api = second.post("/api/v1/auth/token/", {"username": "root", "password": PASSWORD, "otp": used})
    assert api.status_code == 400 and api.json()["code"] == "otp_reused"
    # the next code still works
    assert second.post(reverse("accounts:otp"), {"code": code(root, 30)}).status_code == 302 and signed_in(second)


def test_five_wrong_codes_lock_the_second_factor(root, settings):
    client = Client()
    client.post(reverse("accounts:login"), {"username": "root", "password": PASSWORD})
    right = code(root)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for _ in range(4):
        assert "动态口令不正确" in client.post(reverse("accounts:otp"), {"code": wrong}).content.decode()
    locked = client.post(reverse("accounts:otp"), {"code": wrong}).content.decode()
    assert "已锁定" in locked
    # the right code is refused now, here and from another process's point of view (the database)
    assert "已锁定" in client.post(reverse("accounts:otp"), {"code": right}).content.decode()
    assert not signed_in(client)
    assert User.objects.get(pk=root.pk).totp_locked_until is not None
    api = Client().post("/api/v1/auth/token/", {"username": "root", "password": PASSWORD, "otp": right})
    assert api.status_code == 429 and "已锁定" in api.json()["message"]


def test_turning_totp_off_takes_a_current_code(root):
    client = Client()
    client.post(reverse("accounts:login"), {"username": "root", "password": PASSWORD})
    client.post(reverse("accounts:otp"), {"code": code(root)})
    refused = client.post(reverse("accounts:otp_setup"), {"action": "disable"})
    assert "动态口令" in refused.content.decode() and User.objects.get(pk=root.pk).totp_enabled
    wrong = client.post(reverse("accounts:otp_setup"), {"action": "disable", "code": "000000"})
    assert "不正确" in wrong.content.decode() and User.objects.get(pk=root.pk).totp_enabled
    client.post(reverse("accounts:otp_setup"), {"action": "disable", "code": code(root, 30)})
    assert not User.objects.get(pk=root.pk).totp_enabled


def test_an_administrator_resets_a_lost_second_factor_and_it_is_recorded(root, make_user):
    other = make_user("admin2", Role.ADMIN)
    client = Client()
    client.force_login(other)
    page = client.get(reverse("accounts:user_edit", args=[root.pk])).content.decode()
    assert "重置动态口令" in page
    client.post(reverse("accounts:user_otp_reset", args=[root.pk]))
    assert not User.objects.get(pk=root.pk).totp_enabled
    assert AuditEntry.objects.filter(action="user.otp_reset", object_id=str(root.pk), actor=other).exists()
    office = make_user("office", Role.REFORM_OFFICE)
    client.force_login(office)
    assert client.post(reverse("accounts:user_otp_reset", args=[other.pk])).status_code == 403

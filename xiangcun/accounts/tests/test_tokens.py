"""API tokens expire, are stored only as a hash, are revoked by a new password and on demand (by their
owner on 我的接口令牌, by a manager on the user's page), and every issue/revocation is audited."""
import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xiangcun.accounts import tokens
from xiangcun.accounts.models import ApiToken, Role
from xiangcun.core.audit import AuditEntry

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def clerk(make_user, maerkang):
    return make_user("clerk", Role.REFORM_OFFICE, maerkang)


def get_token(username="clerk", password=PASSWORD):
    response = Client().post("/api/v1/auth/token/", {"username": username, "password": password})
    assert response.status_code == 200, response.content
    return response.json()


def works(key) -> bool:
    status = Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/divisions/", {"level": 4}).status_code
    assert status in (200, 401)
    return status == 200


def test_a_token_is_stored_as_a_hash_and_expires(clerk, settings):
    settings.TOKEN_DAYS = 7
    body = get_token()
    key = body["token"]
    expires = dt.datetime.fromisoformat(body["expires"])
    assert dt.timedelta(days=6, hours=23) < expires - timezone.now() <= dt.timedelta(days=7)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key_hash, prefix FROM accounts_apitoken")
        stored = cursor.fetchall()
    assert len(stored) == 1 and key not in stored[0][0] and len(stored[0][1]) < len(key)
    assert works(key)
    ApiToken.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    expired = Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/divisions/")
    assert expired.status_code == 401 and expired.json()["code"] == "not_authenticated"


def test_a_password_reset_or_change_revokes_the_tokens(clerk, make_user, maerkang):
    key = get_token()["token"]
    admin = make_user("boss", Role.ADMIN)
    client = Client()
    client.force_login(admin)
    response = client.post(reverse("accounts:user_edit", args=[clerk.pk]), {
        "username": "clerk", "display_name": "", "role": Role.REFORM_OFFICE, "body": "",
        "jurisdiction": maerkang.pk, "phone": "", "is_active": "on", "password": "A-new-passphrase-2026"})
    assert response.status_code == 302
    assert not works(key)
    # a password set anywhere else (admin site, command line) too
    key = get_token(password="A-new-passphrase-2026")["token"]
    clerk.refresh_from_db()
    clerk.set_password("Another-passphrase-2026")
    clerk.save()
    assert not works(key)
    assert ApiToken.objects.filter(revoked_reason="password").count() == 2


def test_the_owner_lists_and_revokes_tokens_on_their_page(clerk):
    key = get_token()["token"]
    client = Client()
    client.force_login(clerk)
    page = client.get(reverse("accounts:me")).content.decode()
    token = ApiToken.objects.get()
    assert f"{key[:8]}…" in page and key not in page and "到期时间" in page and "最近使用" in page and "撤销" in page
    client.post(reverse("accounts:me"), {"action": "revoke", "token": token.pk})
    assert not works(key)
    shown_page = client.get(reverse("accounts:me")).content.decode()
    assert "已撤销(本人撤销)" in shown_page
    # a new one is shown once, from the form the page offered (posting it again issues nothing)
    form_id = shown_page.split('name="form_id" value="')[1].split('"')[0]
    issued = client.post(reverse("accounts:me"), {"action": "issue", "form_id": form_id}).content.decode()
    new = ApiToken.objects.filter(revoked_at__isnull=True).get()
    shown = issued.split('id="new-token">')[1].split("<")[0]
    assert shown.startswith(new.prefix) and works(shown)
    assert shown not in client.get(reverse("accounts:me")).content.decode()
    again = client.post(reverse("accounts:me"), {"action": "issue", "form_id": form_id}, follow=True).content.decode()
    assert "这次签发已经完成" in again and ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_nobody_revokes_another_users_token_from_their_own_page(clerk, make_user):
    key = get_token()["token"]
    other = make_user("other", Role.TOWNSHIP)
    client = Client()
    client.force_login(other)
    assert client.post(reverse("accounts:me"), {"action": "revoke", "token": ApiToken.objects.get().pk}).status_code == 404
    assert client.post(reverse("accounts:me"), {"action": "revoke", "token": "x"}).status_code == 404
    assert works(key)


def test_a_manager_revokes_a_users_tokens_and_it_is_all_audited(clerk, make_user):
    key = get_token()["token"]
    admin = make_user("boss", Role.ADMIN)
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("accounts:user_edit", args=[clerk.pk])).content.decode()
    assert "接口令牌" in page and f"{key[:8]}…" in page
    client.post(reverse("accounts:user_tokens_revoke", args=[clerk.pk]))
    assert not works(key)
    actions = sorted(AuditEntry.objects.filter(object_id=str(clerk.pk), action__startswith="token.")
                   .values_list("action", "actor__username"))
    assert actions == [("token.issue", "clerk"), ("token.revoke", "boss")]
    assert key not in str(list(AuditEntry.objects.values_list("data", flat=True)))


def test_service_functions_issue_and_revoke(clerk):
    token, key = tokens.issue(clerk)
    assert tokens.authenticate(key) == token and tokens.authenticate(key).last_used is not None
    assert tokens.revoke(token, ApiToken.Revoked.ADMIN) and not tokens.revoke(token, ApiToken.Revoked.ADMIN)
    assert tokens.authenticate(key) is None

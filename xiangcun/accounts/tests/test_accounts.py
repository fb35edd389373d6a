"""Signing in, the second factor, lock-out, user management and personal data."""
import base64
import re
import time

import pyotp
import pytest
from django.db import connection
from django.urls import reverse

from xiangcun.accounts.models import Role, User


def test_every_page_carries_a_csp_that_allows_no_outside_origin(client, db):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp and "http" not in csp
    assert response["X-Frame-Options"] == "DENY"


def test_repeated_failures_lock_the_account(client, make_user, settings):
    make_user("clerk", Role.TOWNSHIP)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "clerk", "password": "wrong-password"})
    locked = client.post(reverse("accounts:login"), {"username": "clerk", "password": "pw-for-tests-1"})
    assert "账号已暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_administrator_with_totp_must_enter_the_code(client, make_user):
    admin = make_user("root", Role.ADMIN)
    client.force_login(admin)
    setup = client.get(reverse("accounts:otp_setup")).content.decode()
    # the QR code is an image the page cannot run: a data: URI of the SVG, never the SVG's markup inlined
    qr = re.search(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', setup)
    assert qr and base64.b64decode(qr.group(1)).lstrip().startswith(b"<?xml") and "<svg" not in setup
    secret = client.session["otp_setup_secret"]
    wrong = client.post(reverse("accounts:otp_setup"), {"code": "000000"})
    assert "动态口令不正确" in wrong.content.decode()
    client.post(reverse("accounts:otp_setup"), {"code": pyotp.TOTP(secret).now()})
    admin.refresh_from_db()
    assert admin.totp_enabled and admin.totp_secret == secret
    # the secret is not stored in clear text
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE id = %s", [admin.pk])
        assert secret not in cursor.fetchone()[0]

    client.logout()
    response = client.post(reverse("accounts:login"), {"username": "root", "password": "pw-for-tests-1"})
    assert response["Location"] == reverse("accounts:otp")
    assert "_auth_user_id" not in client.session
    assert "动态口令不正确" in client.post(reverse("accounts:otp"), {"code": "123456"}).content.decode()
    # the code that turned TOTP on has been used: the sign-in takes the next one (codes are single-use)
    done = client.post(reverse("accounts:otp"), {"code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert done.status_code == 302 and client.session["_auth_user_id"] == str(admin.pk)


def test_only_administrators_may_turn_on_totp(client, make_user):
    client.force_login(make_user("clerk", Role.TOWNSHIP))
    assert client.get(reverse("accounts:otp_setup")).status_code == 403


@pytest.fixture
def office(maerkang, make_user):
    return make_user("office", Role.REFORM_OFFICE, maerkang)


def test_the_office_manages_users_of_its_county_only(client, office, unit, make_user):
    make_user("sg", Role.TOWNSHIP, unit("松岗镇"), phone="13912345678")
    make_user("far", Role.TOWNSHIP, None)
    client.force_login(office)
    page = client.get(reverse("accounts:users")).content.decode()
    assert "sg" in page and "139****5678" in page and "13912345678" not in page and ">far<" not in page
    far = User.objects.get(username="far")
    assert client.get(reverse("accounts:user_edit", args=[far.pk])).status_code == 404
    sg = User.objects.get(username="sg")
    full = client.get(reverse("accounts:user_phone", args=[sg.pk])).content.decode()
    assert "13912345678" in full


def test_the_office_cannot_create_an_administrator_or_a_weak_password(client, office, unit):
    client.force_login(office)
    form = {"username": "newbie", "display_name": "新人", "role": "admin", "jurisdiction": unit("松岗镇").pk,
            "password": "12345678", "is_active": "on", "phone": "12345"}
    page = client.post(reverse("accounts:user_new"), form).content.decode()
    assert "不是可用的选项" in page or "选择一个有效的选项" in page
    assert "手机号" in page and "11 位数字" in page
    assert not User.objects.filter(username="newbie").exists()
    form.update(role="township", password="Songgang-2026!", phone="139 1234 5678")
    assert client.post(reverse("accounts:user_new"), form).status_code == 302
    created = User.objects.get(username="newbie")
    assert created.jurisdiction == unit("松岗镇") and created.phone == "13912345678"
    assert created.check_password("Songgang-2026!")


def test_a_township_user_cannot_manage_users(client, unit, make_user, maerkang):
    client.force_login(make_user("sg", Role.TOWNSHIP, unit("松岗镇")))
    assert client.get(reverse("accounts:users")).status_code == 403


def test_the_county_lands_on_the_reform_dashboard_and_a_township_on_its_workbench(client, make_user):
    import datetime as dt

    from xiangcun.divisions import services

    county = services.create_unit("测试县", "county", None, dt.date(2020, 1, 1), code="510000000000")
    town = services.create_unit("甲镇", "town", county, dt.date(2020, 1, 1))
    make_user("office", Role.REFORM_OFFICE, county)
    make_user("clerk", Role.TOWNSHIP, town)
    signed_in = client.post(reverse("accounts:login"), {"username": "office", "password": "pw-for-tests-1"})
    assert signed_in["Location"] == reverse("indicators:dashboard")
    assert "改革驾驶舱" in client.get(signed_in["Location"]).content.decode()
    client.logout()
    signed_in = client.post(reverse("accounts:login"), {"username": "clerk", "password": "pw-for-tests-1"})
    assert signed_in["Location"] == reverse("workbench:home")
    client.logout()
    asked = client.post(reverse("accounts:login") + "?next=/assets/", {"username": "office", "password": "pw-for-tests-1"})
    assert asked["Location"] == "/assets/"


# --- the reform office and administrators' accounts --------------------------------------------------

@pytest.fixture
def admins(maerkang, unit, make_user):
    """Accounts in the county that only an administrator may touch."""
    return {
        "admin": make_user("county_admin", Role.ADMIN, maerkang, phone="13800000001"),
        "superuser": make_user("hidden_root", Role.TOWNSHIP, unit("松岗镇"), is_superuser=True),
        "staff": make_user("site_staff", Role.ANALYST, maerkang, is_staff=True),
    }


def test_the_office_can_neither_see_nor_edit_nor_reset_an_administrator(client, office, admins):
    client.force_login(office)
    listing = client.get(reverse("accounts:users")).content.decode()
    assert "county_admin" not in listing and "hidden_root" not in listing and "site_staff" not in listing
    assert "系统管理员账号由系统管理员维护" in listing
    for target in admins.values():
        assert client.get(reverse("accounts:user_edit", args=[target.pk])).status_code == 404
        assert client.get(reverse("accounts:user_phone", args=[target.pk])).status_code == 404
        reset = client.post(reverse("accounts:user_edit", args=[target.pk]), {
            "username": target.username, "role": "township", "jurisdiction": office.jurisdiction_id,
            "password": "Taken-over-2026!", "is_active": "on"})
        assert reset.status_code == 404
        target.refresh_from_db()
        assert target.check_password("pw-for-tests-1") and not target.check_password("Taken-over-2026!")
    assert User.objects.get(username="hidden_root").is_superuser


def test_an_administrator_still_manages_administrators(client, admins, make_user):
    client.force_login(make_user("root", Role.ADMIN))
    assert "county_admin" in client.get(reverse("accounts:users")).content.decode()
    target = admins["admin"]
    assert client.post(reverse("accounts:user_edit", args=[target.pk]), {
        "username": target.username, "role": "admin", "jurisdiction": target.jurisdiction_id,
        "password": "New-admin-pass-2026", "is_active": "on"}).status_code == 302
    target.refresh_from_db()
    assert target.check_password("New-admin-pass-2026")


def test_the_office_cannot_promote_a_user_to_administrator(client, office, unit, make_user):
    sg = make_user("sg", Role.TOWNSHIP, unit("松岗镇"))
    client.force_login(office)
    form = client.get(reverse("accounts:user_edit", args=[sg.pk])).content.decode()
    assert 'value="admin"' not in form
    page = client.post(reverse("accounts:user_edit", args=[sg.pk]), {
        "username": "sg", "role": "admin", "jurisdiction": unit("松岗镇").pk, "is_active": "on"})
    assert page.status_code == 200 and "选择一个有效的选项" in page.content.decode()
    sg.refresh_from_db()
    assert sg.role == Role.TOWNSHIP and not sg.is_administrator


# --- user administration in the audit trail ---------------------------------------------------------

def test_user_changes_and_password_resets_are_in_the_audit_log(client, office, unit, make_user):
    from xiangcun.core.audit import AuditEntry

    sg = make_user("sg", Role.TOWNSHIP, unit("松岗镇"), display_name="松岗镇张三")
    old_hash = sg.password
    client.force_login(office)
    saved = client.post(reverse("accounts:user_edit", args=[sg.pk]), {
        "username": "sg", "display_name": "松岗镇张三", "role": "analyst", "jurisdiction": unit("党坝乡").pk,
        "password": "Reset-by-office-2026"}, HTTP_X_REQUEST_ID="req-user-1")  # is_active unticked: 停用
    assert saved.status_code == 302
    sg.refresh_from_db()
    assert sg.check_password("Reset-by-office-2026") and not sg.is_active

    # what the 审计日志 shows the office (within its county)
    log = client.get(reverse("workbench:audit_log"), {"type": "accounts.user"}).content.decode()
    assert "松岗镇张三(sg)" in log and "重置密码" in log
    assert "乡镇工作人员</span> → 只读分析员" in log
    assert "松岗镇</span> → 党坝乡" in log and "启用" in log
    entries = AuditEntry.objects.filter(request_id=saved["X-Request-Id"])  # the server's id, not the client's
    assert {e.action for e in entries} == {"update", "user.password_reset"}
    assert {e.actor_id for e in entries} == {office.pk}
    update = entries.get(action="update")
    assert (update.before["role"], update.after["role"]) == ("township", "analyst")
    assert (update.before["is_active"], update.after["is_active"]) == (True, False)
    # neither the new password nor either hash is anywhere in the trail
    every = "".join(e.canonical() for e in AuditEntry.objects.all())
    assert "Reset-by-office-2026" not in every and old_hash not in every and sg.password not in every
    for e in AuditEntry.objects.filter(object_type="accounts.user"):
        assert not {"password", "totp_secret", "phone"} & {*(e.before or {}), *(e.after or {})}

    # the user's own history page, for managers only
    history = reverse("workbench:audit_history", args=["accounts.user", sg.pk])
    assert "重置密码" in client.get(history).content.decode()
    client.force_login(make_user("db", Role.TOWNSHIP, unit("党坝乡")))
    assert client.get(history).status_code == 404


def test_creating_a_user_is_recorded_and_signing_in_is_not(client, office, unit):
    from xiangcun.core.audit import AuditEntry

    client.force_login(office)
    client.post(reverse("accounts:user_new"), {"username": "newbie", "role": "township", "is_active": "on",
                                               "jurisdiction": unit("松岗镇").pk, "password": "Songgang-2026!"})
    created = AuditEntry.objects.get(object_type="accounts.user", object_id=str(User.objects.get(username="newbie").pk))
    assert created.action == "create" and created.actor == office and created.after["role"] == "township"
    client.logout()
    n = AuditEntry.objects.count()
    client.post(reverse("accounts:login"), {"username": "newbie", "password": "Songgang-2026!"})
    assert "_auth_user_id" in client.session and AuditEntry.objects.count() == n


def test_the_edit_form_speaks_chinese_whatever_the_browser_language(client, office, unit, make_user):
    sg = make_user("sg", Role.TOWNSHIP, unit("松岗镇"), phone="13912345678")
    client.force_login(office)
    page = client.get(reverse("accounts:user_edit", args=[sg.pk]), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Designates whether" not in page and "Required. 150 characters" not in page
    assert "停用的用户不能登录" in page and "重置密码" in page and "初始密码" not in page
    assert '<textarea name="phone"' not in page and 'name="phone" value="13912345678"' in page
    new = client.get(reverse("accounts:user_new")).content.decode()
    assert "初始密码" in new


def test_seeing_a_phone_number_in_the_form_and_changing_it_are_recorded_without_the_number(client, office, unit, make_user):
    from xiangcun.core.audit import AuditEntry

    sg = make_user("sg", Role.TOWNSHIP, unit("松岗镇"), phone="13912345678")
    client.force_login(office)
    client.get(reverse("accounts:user_edit", args=[sg.pk]))
    viewed = AuditEntry.objects.get(action="pii.view", object_id=str(sg.pk))
    assert viewed.actor == office and viewed.data == {"field": "phone"}
    client.post(reverse("accounts:user_edit", args=[sg.pk]), {
        "username": "sg", "role": "township", "jurisdiction": unit("松岗镇").pk, "is_active": "on",
        "phone": "13987654321"})
    sg.refresh_from_db()
    assert sg.phone == "13987654321"
    client.post(reverse("accounts:user_edit", args=[sg.pk]), {  # the same number, typed with spaces
        "username": "sg", "role": "township", "jurisdiction": unit("松岗镇").pk, "is_active": "on",
        "phone": "139 8765 4321"})
    changed = AuditEntry.objects.get(action="user.phone_change", object_id=str(sg.pk))
    assert changed.actor == office and "修改手机号" in client.get(reverse("workbench:audit_log")).content.decode()
    every = "".join(e.canonical() for e in AuditEntry.objects.all())
    assert "13987654321" not in every and "13912345678" not in every

"""Signing in, the second factor, lock-out, user management and personal data."""
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
    setup = client.get(reverse("accounts:otp_setup"))
    assert "<svg" in setup.content.decode()
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
    done = client.post(reverse("accounts:otp"), {"code": pyotp.TOTP(secret).now()})
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
    assert signed_in["Location"] == reverse("core:home")
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

"""In a browser: an administrator with a second factor signs in with password and code, issues an API
token on 我的接口令牌 (shown once), and revokes it."""
import time

import pyotp
import pytest

from xiangcun.accounts.models import ApiToken, Role
from xiangcun.divisions.tests.test_browser import page  # noqa: F401 - the playwright fixture

SHOTS = None  # set to a pathlib.Path to keep the screenshots


@pytest.mark.django_db(transaction=True)
def test_signing_in_with_a_code_and_managing_tokens(page, make_user, tmp_path):  # noqa: F811
    secret = pyotp.random_base32()
    make_user("root", Role.ADMIN, totp_secret=secret, totp_enabled=True, display_name="管理员")
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button:has-text('登录')")
    page.wait_for_selector("text=请输入动态口令")
    page.fill("#id_code", "000000")
    page.click("button:has-text('验证')")
    assert "动态口令不正确" in page.inner_text("body")
    page.fill("#id_code", pyotp.TOTP(secret).at(time.time()))
    page.click("button:has-text('验证')")
    page.wait_for_selector("text=工作台")

    page.click("a.nav-item:has-text('我的接口令牌')")
    page.click("button:has-text('签发新令牌')")
    key = page.inner_text("#new-token").strip()
    assert len(key) == 40 and ApiToken.objects.get().prefix == key[:8]
    page.screenshot(path=str(tmp_path / "me.png"), full_page=True)
    page.reload()  # the browser posts the form again: no second token, and the key is not shown again
    assert "这次签发已经完成" in page.inner_text("body")
    assert ApiToken.objects.count() == 1 and key not in page.content()
    page.click("button:has-text('撤销')")
    page.wait_for_selector("text=已撤销(本人撤销)")
    assert key not in page.content()
    page.screenshot(path=str((SHOTS or tmp_path) / "me-revoked.png"), full_page=True)
    if SHOTS:
        (tmp_path / "me.png").replace(SHOTS / "me.png")


@pytest.mark.django_db(transaction=True)
def test_the_qr_code_to_set_up_a_second_factor_is_shown_as_an_image(page, make_user, tmp_path):  # noqa: F811
    from django.urls import reverse

    from conftest import sign_in

    make_user("root", Role.ADMIN, display_name="管理员")
    sign_in(page, "root")
    page.goto(page.base + reverse("accounts:otp_setup"))
    qr = page.wait_for_selector("img[alt='动态口令二维码']")
    assert qr.evaluate("i => i.complete && i.naturalWidth") > 0  # the page's CSP lets the data: image load
    page.screenshot(path=str(tmp_path / "otp_setup.png"), full_page=True)

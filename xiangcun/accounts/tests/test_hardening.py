"""What the security settings promise, checked by behaviour: Argon2 hashes, an idle session ends,
a form posted without its CSRF token is refused."""
import datetime as dt

from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xiangcun import settings as real_settings
from xiangcun.accounts.models import Role


def test_passwords_are_hashed_with_argon2(settings, make_user, maerkang):
    settings.PASSWORD_HASHERS = real_settings.PASSWORD_HASHERS  # the suite swaps in a fast hasher
    assert make_password("Kq7!mapleRiver").startswith("argon2$argon2id$")
    user = make_user("hash_check", Role.REFORM_OFFICE, maerkang)
    user.set_password("Kq7!mapleRiver")
    user.save()
    user.refresh_from_db()
    assert user.password.startswith("argon2") and user.check_password("Kq7!mapleRiver")


def test_an_idle_session_ends_and_activity_keeps_it_alive(client, make_user, maerkang, settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE == 2 * 3600
    client.force_login(make_user("idle", Role.REFORM_OFFICE, maerkang))
    assert client.get(reverse("workbench:home")).status_code == 200
    session = Session.objects.get()
    assert session.expire_date > timezone.now() + dt.timedelta(hours=1, minutes=59)  # renewed on each request
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))  # two idle hours later
    page = client.get(reverse("workbench:home"))
    assert page.status_code == 302 and reverse("accounts:login") in page["Location"]


def test_a_post_without_its_csrf_token_is_refused(make_user, maerkang):
    user = make_user("csrf", Role.REFORM_OFFICE, maerkang)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    refused = browser.post(reverse("accounts:logout"))
    assert refused.status_code == 403
    assert browser.get(reverse("workbench:home")).status_code == 200  # still logged in: nothing was done


def test_an_english_browser_still_gets_chinese(client, make_user, maerkang):
    client.force_login(make_user("en_browser", Role.REFORM_OFFICE, maerkang))
    page = client.get(reverse("workbench:home"), HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert page.wsgi_request.LANGUAGE_CODE == "zh-hans"  # so Django's own messages are Chinese too

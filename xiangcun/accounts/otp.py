"""The TOTP second factor: every way in (pages, admin site, API token) checks codes here.

A code is accepted once: the time-step it belongs to is remembered per user, and a code of that step
or an earlier one is refused. Wrong codes are counted per user in the database (so every process sees
them): settings.OTP_FAILURE_LIMIT in a row lock the second factor for settings.OTP_LOCKOUT_MINUTES.
"""
import datetime as dt
import hmac

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils import timezone

# The session key that says which user confirmed a code in this session (accounts.middleware).
VERIFIED = "otp_verified_user"


class OtpError(Exception):
    """A refused code, with a Chinese message and a machine code for the API."""

    def __init__(self, message: str, code: str = "otp_invalid"):
        super().__init__(message)
        self.message, self.code = message, code


def _step_of(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time-step (of now and one either side, for clock drift) whose code is `code`, if any."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(user, code: str, secret: str | None = None) -> None:
    """Accept `code` for `user` (against `secret`, by default the user's own) or raise OtpError.

    Accepting records the code's time-step, so the same code (or an older one) is refused afterwards;
    a refusal counts towards the lock."""
    from .models import User

    code = (code or "").strip()
    now = timezone.now()
    error = None
    with transaction.atomic():
        row = User.objects.select_for_update().only(
            "totp_secret", "totp_last_step", "totp_failures", "totp_locked_until").get(pk=user.pk)
        if row.totp_locked_until and row.totp_locked_until > now:
            until = timezone.localtime(row.totp_locked_until).strftime("%H:%M")
            raise OtpError(f"动态口令连续输错次数过多,已锁定至 {until},请届时再试", "otp_locked")
        step = _step_of(secret or row.totp_secret, code, now) if code.isdigit() and len(code) == 6 else None
        if step is not None and row.totp_last_step is not None and step <= row.totp_last_step:
            step, error = None, OtpError("该动态口令已使用过,请等待身份验证器显示新的口令", "otp_reused")
        if step is None:
            failures = row.totp_failures + 1
            if failures >= settings.OTP_FAILURE_LIMIT:
                locked = now + dt.timedelta(minutes=settings.OTP_LOCKOUT_MINUTES)
                User.objects.filter(pk=user.pk).update(totp_failures=0, totp_locked_until=locked)
                until = timezone.localtime(locked).strftime("%H:%M")
                error = OtpError(f"动态口令连续输错 {failures} 次,已锁定至 {until},请届时再试", "otp_locked")
            else:
                User.objects.filter(pk=user.pk).update(totp_failures=failures)
                error = error or OtpError(
                    f"动态口令不正确或已过期(还可再试 {settings.OTP_FAILURE_LIMIT - failures} 次)", "otp_invalid")
        else:
            User.objects.filter(pk=user.pk).update(totp_last_step=step, totp_failures=0, totp_locked_until=None)
    if error is not None:
        raise error
    user.totp_last_step, user.totp_failures, user.totp_locked_until = step, 0, None


def mark_verified(request, user) -> None:
    """This session has confirmed `user`'s second factor (call after login())."""
    request.session[VERIFIED] = user.pk


def reset(user) -> None:
    """Turn the second factor off and clear its guard (disabling with a code, or an administrator's reset)."""
    from .models import User

    user.totp_enabled, user.totp_secret = False, ""
    user.save(update_fields=["totp_enabled", "totp_secret"])
    User.objects.filter(pk=user.pk).update(totp_last_step=None, totp_failures=0, totp_locked_until=None)

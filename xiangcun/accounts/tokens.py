"""API tokens: issued with an expiry, stored as a hash, revoked on demand or by a new password.

Every issue and revocation is recorded in the audit trail (named events on the token's user)."""
import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from xiangcun.core import audit

# last_used is written at most this often per token (not on every request)
TOUCH_SECONDS = 60


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(user, actor=None):
    """A new token for `user`: returns (ApiToken, key). The key is not stored and cannot be shown again."""
    key = secrets.token_hex(20)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, key_hash=digest(key), prefix=key[:8],
                                        expires=timezone.now() + dt.timedelta(days=settings.TOKEN_DAYS))
        audit.log_event(user, "token.issue", data={"令牌": f"{token.prefix}…", "到期": token.expires.isoformat()},
                        actor=actor or user)
    return token, key


def active(user):
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires__gt=timezone.now())


def revoke(token, reason: str, actor=None) -> bool:
    """Revoke one token (False if it was already revoked)."""
    with transaction.atomic():
        done = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=reason)
        if done:
            audit.log_event(token.user, "token.revoke", data={"令牌": f"{token.prefix}…",
                                                               "原因": ApiToken.Revoked(reason).label}, actor=actor)
    return bool(done)


def revoke_all(user, reason: str, actor=None) -> int:
    """Revoke every token of `user` that still works; returns how many."""
    with transaction.atomic():
        tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
        if not tokens:
            return 0
        ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now(), revoked_reason=reason)
        audit.log_event(user, "token.revoke", data={"令牌": [f"{t.prefix}…" for t in tokens],
                                                     "原因": ApiToken.Revoked(reason).label}, actor=actor)
    return len(tokens)


def authenticate(key: str):
    """The ApiToken for `key` if it still works (not expired, not revoked, its user active), else None."""
    now = timezone.now()
    token = ApiToken.objects.select_related("user").filter(
        key_hash=digest(key), revoked_at__isnull=True, expires__gt=now, user__is_active=True).first()
    if token is not None and (token.last_used is None or (now - token.last_used).total_seconds() > TOUCH_SECONDS):
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token


class ApiToken(models.Model):
    """An API token. Only the SHA-256 of its key is stored: the key is shown once, when issued.

    A token works until it expires (settings.TOKEN_DAYS after issue) or is revoked: by its owner, by an
    administrator, or by a new password. See accounts.tokens."""

    class Revoked(models.TextChoices):
        OWNER = "owner", "本人撤销"
        ADMIN = "admin", "管理员撤销"
        PASSWORD = "password", "修改或重置密码"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField("令牌开头", max_length=8, editable=False)
    created = models.DateTimeField("签发时间", auto_now_add=True)
    last_used = models.DateTimeField("最近使用", null=True, blank=True)
    expires = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_reason = models.CharField("撤销原因", max_length=10, choices=Revoked.choices, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created"]

    def __str__(self):
        return f"{self.prefix}…"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires > timezone.now()

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return f"已撤销({self.get_revoked_reason_display()})"
        return "有效" if self.expires > timezone.now() else "已过期"

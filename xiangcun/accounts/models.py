"""Users: each has a role and a jurisdiction (a division); what they see is that unit's subtree."""
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from xiangcun.core.crypto import EncryptedCharField, mask_phone
from xiangcun.core.roles import Role

from .tokens import ApiToken  # noqa: F401  (the token model lives with its operations in tokens.py)


class User(AbstractUser):
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.ANALYST)
    jurisdiction = models.ForeignKey(
        "divisions.Division", verbose_name="管辖范围", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.ForeignKey("bodies.Body", verbose_name="所属机构", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="users")
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = EncryptedCharField("手机号", blank=True, default="")
    totp_secret = EncryptedCharField(blank=True, default="")
    totp_enabled = models.BooleanField("已启用动态口令", default=False)
    # The second factor's guard (see accounts.otp): the last accepted time-step, so a code is accepted
    # once; wrong codes in a row and the lock they lead to. Written with .update(), never audited.
    totp_last_step = models.BigIntegerField(null=True, blank=True, editable=False)
    totp_failures = models.PositiveIntegerField(default=0, editable=False)
    totp_locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def save(self, *args, **kwargs):
        """A new password (set_password, from any page, the admin site or a command) revokes the
        user's API tokens; a hash upgrade on sign-in is not a new password (Django clears _password)."""
        password_changed = self.pk is not None and getattr(self, "_password", None) is not None
        super().save(*args, **kwargs)
        if password_changed:
            from .tokens import revoke_all

            revoke_all(self, reason="password")

    def __str__(self):
        return self.display_name or self.username

    @property
    def department(self) -> str:
        """The short name of the county department the user belongs to ("财政", "民政" …), "" for anyone else:
        what the modules' role rules read (a 财政 department user edits the asset ledger …)."""
        body = self.body if self.body_id else None
        return body.short_name if body is not None and body.kind == "county_department" else ""

    @department.setter
    def department(self, short_name: str) -> None:
        """Put the user in the county department of that short name in their jurisdiction's county (registered if the
        county has none yet): how demo logins, tests and `User(department="财政")` name a department."""
        if not short_name:
            self.body = None
            return
        from xiangcun.bodies import services

        county = services.county_of(self.jurisdiction)
        if county is None:
            raise ValueError(f"用户{self.username}没有县级管辖范围,无法确定“{short_name}”是哪个县的部门")
        self.body = services.department_body(county, short_name)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def sees_everything(self) -> bool:
        return self.is_superuser or (self.role == Role.ADMIN and self.jurisdiction_id is None)

    @property
    def jurisdiction_label(self) -> str:
        if self.jurisdiction_id is None:
            return "全部" if self.sees_everything else "未设置"
        return self.jurisdiction.name


def administrators_q() -> Q:
    return Q(is_superuser=True) | Q(is_staff=True) | Q(role=Role.ADMIN)

"""Users: each has a role and a jurisdiction (a division); what they see is that unit's subtree."""
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from xiangcun.core.crypto import EncryptedCharField, mask_phone


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    REFORM_OFFICE = "reform_office", "县(市)两项改革办"
    DEPARTMENT = "department", "县级部门"
    TOWNSHIP = "township", "乡镇工作人员"
    VILLAGE_AGENT = "village_agent", "村代办员"
    ANALYST = "analyst", "只读分析员"


class User(AbstractUser):
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.ANALYST)
    jurisdiction = models.ForeignKey(
        "divisions.Division", verbose_name="管辖范围", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField("所属部门", max_length=50, blank=True)
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = EncryptedCharField("手机号", blank=True, default="")
    totp_secret = EncryptedCharField(blank=True, default="")
    totp_enabled = models.BooleanField("已启用动态口令", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    def may_manage_users(self) -> bool:
        return self.is_administrator or self.role == Role.REFORM_OFFICE

    @property
    def sees_everything(self) -> bool:
        return self.is_superuser or (self.role == Role.ADMIN and self.jurisdiction_id is None)

    @property
    def jurisdiction_label(self) -> str:
        if self.jurisdiction_id is None:
            return "全部" if self.sees_everything else "未设置"
        return self.jurisdiction.name

    def may_change_divisions(self) -> bool:  # declared for the matrix in divisions/permissions.py
        return self.is_superuser or self.role in (Role.ADMIN, Role.REFORM_OFFICE) or (
            self.role == Role.DEPARTMENT and self.department == "民政"
        )


def managed_by(manager):
    """The users `manager` may see and change on the user-management pages (none for other roles).

    Administrators manage everybody within their scope. The county reform office manages the users
    whose jurisdiction lies in its own, but never an administrator: not a superuser, not a user
    with the administrator role or access to the Django admin site (it could otherwise reset their
    password and sign in as them)."""
    from xiangcun.core.scoping import scope_q

    qs = User.objects.select_related("jurisdiction")
    if not manager.may_manage_users():
        return qs.none()
    if not manager.sees_everything:
        qs = qs.filter(scope_q(manager, "jurisdiction__path"))
    if not manager.is_administrator:
        qs = qs.exclude(administrators_q())
    return qs


def administrators_q() -> Q:
    return Q(is_superuser=True) | Q(is_staff=True) | Q(role=Role.ADMIN)

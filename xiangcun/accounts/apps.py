from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.accounts"
    label = "accounts"
    instance_data = ("User",)  # rows that make an instance not empty (see core.backup)

    def ready(self):
        register_audit()


def register_audit():
    """User administration goes into the audit trail: who changed whose role, jurisdiction, activation,
    second factor; a password reset is a named event. Never the password hash, the TOTP secret or
    the phone number (encrypted fields are left out by core.audit)."""
    from django.urls import reverse

    from xiangcun.core import audit

    from .models import User
    from .permissions import managed_by

    audit.register(
        User, exclude=("password", "last_login", "totp_secret", "totp_last_step", "totp_failures", "totp_locked_until"),
        path=lambda u: u.jurisdiction.path if u.jurisdiction_id else "",
        visible=managed_by, url=lambda pk: reverse("accounts:user_edit", args=[pk]),
        title=lambda u: f"{u.display_name}({u.username})" if u.display_name else u.username,
        labels={"username": "用户名", "is_active": "启用", "is_superuser": "超级管理员", "is_staff": "可登录管理后台",
                "email": "电子邮箱", "first_name": "名", "last_name": "姓", "date_joined": "创建时间"},
    )
    audit.define_actions({"user.password_reset": "重置密码", "user.phone_change": "修改手机号",
                          "user.otp_reset": "重置动态口令", "token.issue": "签发接口令牌", "token.revoke": "撤销接口令牌"})

"""What each role may do in the accounts module, and its URLs (enforced by core.access)."""
from xiangcun.core.access import Access
from xiangcun.core.roles import Role


def managers(user) -> bool:
    """Administrators and the county reform office manage users (see managed_by: whom)."""
    return getattr(user, "is_authenticated", False) and (user.is_administrator or user.role == Role.REFORM_OFFICE)


def administrators(user) -> bool:
    return getattr(user, "is_administrator", False)


def managed_by(manager):
    """The users `manager` may see and change on the user-management pages (none for other roles).

    Administrators manage everybody within their scope. The county reform office manages the users
    whose jurisdiction lies in its own, but never an administrator: not a superuser, not a user
    with the administrator role or access to the Django admin site (it could otherwise reset their
    password and sign in as them)."""
    from xiangcun.divisions.scoping import scope_q

    from .models import User, administrators_q

    qs = User.objects.select_related("jurisdiction")
    if not managers(manager):
        return qs.none()
    if not manager.sees_everything:
        qs = qs.filter(scope_q(manager, "jurisdiction__path"))
    if not manager.is_administrator:
        qs = qs.exclude(administrators_q())
    return qs


MANAGE = "您的角色不能管理用户"

URLS = {
    "accounts:login": Access(public=True),
    "accounts:otp": Access(public=True),
    "accounts:logout": Access(public=True),
    "accounts:otp_setup": Access(allowed=administrators, denied="动态口令仅供系统管理员启用"),
    "accounts:users": Access(allowed=managers, denied=MANAGE),
    "accounts:user_new": Access(allowed=managers, denied=MANAGE),
    "accounts:user_edit": Access(allowed=managers, denied=MANAGE),
    "accounts:user_phone": Access(allowed=managers, denied=MANAGE),
    "accounts:user_tokens_revoke": Access(allowed=managers, denied=MANAGE),
    "accounts:user_otp_reset": Access(allowed=administrators, denied="只有系统管理员可以重置动态口令"),
    "accounts:me": Access(),
    "admin_login": Access(public=True),  # the admin site signs in through accounts:login
}

"""What each role may do in the accounts module, and its URLs."""
from xiangcun.core.access import Access


def managers(user) -> bool:
    return user.may_manage_users()


def administrators(user) -> bool:
    return user.is_administrator


URLS = {
    "accounts:login": Access(public=True),
    "accounts:otp": Access(public=True, ok=302),          # without a pending sign-in: back to the login page
    "accounts:logout": Access(public=True, method="post", ok=302),
    "accounts:otp_setup": Access(allowed=administrators),
    "accounts:users": Access(allowed=managers),
    "accounts:user_new": Access(allowed=managers),
    "accounts:user_edit": Access(allowed=managers, obj="user"),
    "accounts:user_phone": Access(allowed=managers, obj="user"),
}

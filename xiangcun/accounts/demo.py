"""The demo logins' password and `demo_login`, with which each module's demo adds its own login
(`xiangcun demo`, in the workbench app, loads them all; this module has no `load_module` of its own)."""
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password

from .models import User

DEMO_PASSWORD = "xiangcun2026"
_HASHES: dict[tuple, str] = {}


def set_demo_password(user: User) -> None:
    """Give `user` the demo password (as `set_password` does; the caller saves). The demo logins share one hash,
    made once per process: the production hasher (argon2) takes about 0.3 s a time, and the password is
    printed for everyone to read anyway."""
    key = tuple(settings.PASSWORD_HASHERS)
    if key not in _HASHES:
        _HASHES[key] = make_password(DEMO_PASSWORD)
    user.password = _HASHES[key]
    user._password = DEMO_PASSWORD  # a new password, as after set_password


def with_demo_password(users) -> list[User]:
    """The users whose password is still the demo password; each distinct hash is checked once."""
    known: dict[str, bool] = {}
    out = []
    for user in users:
        if user.password not in known:
            known[user.password] = check_password(DEMO_PASSWORD, user.password)
        if known[user.password]:
            out.append(user)
    return out


def demo_login(username, role, unit, display, department=""):
    """A module's own demo login (caizheng, daiban …) with the demo password; an existing one is kept."""
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.role, user.jurisdiction, user.display_name, user.department = role, unit, display, department
        set_demo_password(user)
        user.save()
    return user

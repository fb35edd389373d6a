"""The demo logins' password and `demo_login`, with which each module's demo adds its own login
(`xiangcun demo`, in the workbench app, loads them all; this module has no `load_module` of its own)."""
from .models import User

DEMO_PASSWORD = "xiangcun2026"


def demo_login(username, role, unit, display, department=""):
    """A module's own demo login (caizheng, daiban …) with the demo password; an existing one is kept."""
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.role, user.jurisdiction, user.display_name, user.department = role, unit, display, department
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user

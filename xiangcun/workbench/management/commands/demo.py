"""`xiangcun demo`: load the demo county, each module's demo records and the demo logins.

Idempotent and fast when already loaded. A module adds its demo records by shipping `demo.py` with
`load_module(county, log)`; modules load in INSTALLED_APPS order, after the divisions.
"""
from django.core.management.base import BaseCommand

from xiangcun.accounts.demo import DEMO_PASSWORD, set_demo_password, with_demo_password
from xiangcun.accounts.models import Role, User
from xiangcun.bodies import services as bodies
from xiangcun.core import audit
from xiangcun.core.discovery import app_modules
from xiangcun.divisions import demo as divisions_demo
from xiangcun.divisions.models import Division
from xiangcun.divisions.scoping import subtree_q


class Command(BaseCommand):
    help = "加载演示数据和演示账号"

    def handle(self, *args, **options):
        county = divisions_demo.load(log=self.stdout.write)
        logins = [("admin", Role.ADMIN, None, "系统管理员", "", True)]
        logins.append(("gaigeban", Role.REFORM_OFFICE, county, f"{county.name}两项改革办", "", False))
        logins.append(("minzheng", Role.DEPARTMENT, county, f"{county.name}民政局", "民政", False))
        townships = Division.objects.filter(parent=county, valid_to__isnull=True).order_by("code")
        for username, name in (("songgang", "松岗镇"), ("dangba", "党坝乡")):
            unit = townships.filter(name=name).first() or townships.first()
            logins.append((username, Role.TOWNSHIP, unit, f"{unit.name}工作人员", "", False))
        for username, role, unit, display, dept, superuser in logins:
            # created with its role and jurisdiction at once: one "新建" entry in the audit trail
            user, created = User.objects.get_or_create(username=username, defaults={
                "role": role, "jurisdiction": unit, "display_name": display, "department": dept,
                "is_superuser": superuser, "is_staff": superuser})
            if created:
                set_demo_password(user)
                user.save(update_fields=["password"])
        # modules come after the logins, so their demo records can name an owner
        for module in app_modules("demo"):
            if hasattr(module, "load_module"):  # divisions.demo is the base, loaded above
                # one transaction per module, the audit head locked and moved once: every write still has its entry
                with audit.batch():
                    module.load_module(county, log=self.stdout.write)
        link_demo_logins(county)  # the modules' own logins (daiban …) join their unit's body too
        # every login that still has the demo password, the modules' own (caizheng, daiban …) included
        demo_users = with_demo_password(User.objects.filter(is_active=True).order_by("id"))
        self.stdout.write(self.style.SUCCESS(
            "演示账号(密码均为 " + DEMO_PASSWORD + "):"
            + "、".join(f"{u.username}({u.display_name or u.get_role_display()})" for u in demo_users)))


def link_demo_logins(county: Division) -> None:
    """Every demo login without a body joins its unit's main body (the reform office its own office)."""
    for user in User.objects.filter(subtree_q(county, "jurisdiction__path"), body__isnull=True).select_related("jurisdiction"):
        body = bodies.main_body(user.jurisdiction)
        if user.role == Role.REFORM_OFFICE:
            body = bodies.department_body(county, "改革办")
        if body is not None:
            user.body = body
            user.save(update_fields=["body"])

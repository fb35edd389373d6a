"""`xiangcun demo` (what `make run` loads) works end to end, every printed login gets in, and a rerun keeps the data."""
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from xiangcun.accounts.models import User
from xiangcun.assets.models import Asset
from xiangcun.core import audit
from xiangcun.core.audit import AuditEntry
from xiangcun.divisions.models import Division
from xiangcun.facilities.models import Facility, Scenario
from xiangcun.indicators.models import CollectiveEconomy, DataValue
from xiangcun.services.models import Case

LOGINS = ["admin", "gaigeban", "minzheng", "songgang", "dangba", "caizheng", "mkzhen", "daiban", "ziranziyuan", "shuili"]


def run_demo():
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_loads_every_module_and_every_login_gets_in(settings, nbs_subset, client):
    settings.NBS_DIR = nbs_subset
    printed = run_demo()
    assert "密码均为 xiangcun2026" in printed
    for name in LOGINS:
        assert f"{name}(" in printed
    assert Division.objects.filter(name="马尔康市").exists()
    counts = (Division.objects.count(), Asset.objects.count(), Case.objects.count(), User.objects.count())
    assert all(counts)
    # every module's own demo ran (the indicators' village forms, not only values mirrored from other ledgers)
    assert DataValue.objects.filter(element__code="POP").exists() and CollectiveEconomy.objects.exists()
    assert Facility.objects.exists() and Scenario.objects.exists()
    for s in Scenario.objects.all():  # every demo plan solves, and no site it keeps is over capacity
        run = s.runs.latest("pk")
        assert run.status == "solved", (s.name, run.error)
        kept = [x for x in run.result["sites"] if x["status"] not in ("close", "unused")]
        assert run.result["headline"]["after"]["over"] == 0, s.name
        assert all(isinstance(x["load_after"], int) for x in kept), s.name  # whole people
    assert DataValue.objects.filter(element__code="CE_ASSET_RENT").exists()  # leases of the assets demo
    # 前置审查: sites in every state, one linked to an open 宅基地建房 case that therefore cannot be completed yet
    from xiangcun.prereview.models import Application

    assert {a.state for a in Application.objects.prefetch_related("reviews")} == {"已批准", "可批准", "待审查", "审查未通过"}
    linked = Application.objects.filter(case__isnull=False).select_related("case__item").get()
    assert "宅基地" in linked.case.item.name and linked.state == "待审查"
    # every demo login belongs to a body of the register: departments to theirs, townships to their government
    users = {u.username: u for u in User.objects.select_related("body").filter(username__in=LOGINS)}
    assert users["caizheng"].body.name == "马尔康市财政局" and users["caizheng"].department == "财政"
    assert users["minzheng"].department == "民政" and users["songgang"].body.name == "松岗镇人民政府"
    assert users["daiban"].body.kind == "village_committee" and users["gaigeban"].body.short_name == "改革办"

    for name in LOGINS:
        client.logout()
        landed = client.post(reverse("accounts:login"), {"username": name, "password": "xiangcun2026"}, follow=True)
        assert landed.status_code == 200 and landed.wsgi_request.user.username == name, name
        assert client.get(reverse("workbench:home")).status_code == 200, name

    rerun = run_demo()
    assert "演示账号" in rerun and "生成" not in rerun  # nothing generated twice
    assert (Division.objects.count(), Asset.objects.count(), Case.objects.count(), User.objects.count()) == counts
    # the demo writes in batches (the audit head moves once per module): the trail is still one intact chain
    checked = audit.verify(lines=[])
    assert checked.ok and checked.count == AuditEntry.objects.count(), checked.reason

"""`xiangcun demo` (what `make run` loads) works end to end, every printed login gets in, and a rerun keeps the data."""
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from xiangcun.accounts.models import User
from xiangcun.assets.models import Asset
from xiangcun.divisions.models import Division
from xiangcun.facilities.models import Facility, Scenario
from xiangcun.indicators.models import CollectiveEconomy, DataValue
from xiangcun.services.models import Case

LOGINS = ["admin", "gaigeban", "minzheng", "songgang", "dangba", "caizheng", "mkzhen", "daiban"]


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
    assert DataValue.objects.filter(element__code="CE_ASSET_RENT").exists()  # leases of the assets demo

    for name in LOGINS:
        client.logout()
        landed = client.post(reverse("accounts:login"), {"username": name, "password": "xiangcun2026"}, follow=True)
        assert landed.status_code == 200 and landed.wsgi_request.user.username == name, name
        assert client.get(reverse("core:home")).status_code == 200, name

    rerun = run_demo()
    assert "演示账号" in rerun and "生成" not in rerun  # nothing generated twice
    assert (Division.objects.count(), Asset.objects.count(), Case.objects.count(), User.objects.count()) == counts

"""Every way the registry reparents or closes a unit reaches the modules' follow-hooks (divisions/follow.py);
nothing else does, and no business rule is left on a Division, Asset or Plan signal.

What the followers do (custody, copied paths, case rollups, rent) is tested in their own modules
(assets/tests/test_paths.py, test_lease_income.py, services/tests/test_rollup.py); here a probe follower
records the calls each entry point makes."""
import datetime as dt
import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db.models import signals
from django.urls import reverse
from openpyxl import Workbook

from xiangcun.accounts.models import Role
from xiangcun.assets.models import Asset, Plan
from xiangcun.divisions import follow, services
from xiangcun.divisions.models import Division, DivisionVersion, Proposal, ReconciliationRun

DAY = dt.date(2022, 3, 1)


@pytest.fixture
def heard():
    """Calls of the follow-hooks, as (hook, unit name, …), recorded by a follower registered last."""
    calls = []
    follow.register("probe", path_changed=lambda unit, old, new: calls.append(("path", unit.name, old, new)),
                    unit_closed=lambda unit, when: calls.append(("closed", unit.name, when)))
    yield calls
    follow.unregister("probe")


def moved(calls):
    return [c[1] for c in calls if c[0] == "path"]


def closed(calls):
    return [c[1] for c in calls if c[0] == "closed"]


def test_the_modules_follow_in_installed_apps_order():
    from xiangcun.assets.services import LEDGER

    assert follow.followers("path_changed") == ["assets", "services"]
    assert follow.followers("unit_closed") == ["bodies", "collective", "assets", "zones", "prereview", "care",
                                                 "supervision", "governance"]
    assert LEDGER.followers("lease_income_changed") == ["indicators"]
    with pytest.raises(TypeError, match="unknown follow-hook"):
        follow.register("typo", unit_merged=print)


def test_a_transfer_moves_the_unit_and_everything_under_it_top_first(maerkang, unit, heard):
    township = unit("党坝乡")
    below = list(Division.objects.subtree(township, include_self=False).current().order_by("path"))
    old = {d.name: (d.pk, d.path) for d in [township, *below]}
    other = services.establish("新设县", "county", maerkang.parent, dt.date(2024, 1, 1))
    heard.clear()
    services.transfer(township, other, dt.date(2024, 6, 1))
    assert moved(heard)[0] == "党坝乡" and sorted(moved(heard)) == sorted(old) and closed(heard) == []
    for _, name, was, now in heard:
        assert was == old[name][1] and now == Division.objects.get(pk=old[name][0]).path
        assert now.startswith(other.path)


def test_a_merger_moves_the_lower_units_then_closes_the_unit(unit, heard):
    villages = set(unit("党坝乡").children.current().values_list("name", flat=True))
    services.merge([unit("党坝乡")], DAY, into=unit("松岗镇"))
    assert set(moved(heard)) >= villages and heard[-1] == ("closed", "党坝乡", DAY)
    assert closed(heard) == ["党坝乡"]


def test_a_split_and_an_abolition_close_the_unit_and_a_rename_calls_nothing(unit, heard):
    services.rename(unit("松岗村"), DAY, name="松岗新村")
    assert heard == []  # its path did not change
    services.split(unit("直波村"), DAY, new=[{"name": "直波一村", "kind": "village", "parent": unit("松岗镇")},
                                            {"name": "直波二村", "kind": "village", "parent": unit("松岗镇")}])
    assert heard == [("closed", "直波村", DAY)]
    heard.clear()
    services.abolish(unit("直波一村"), DAY)
    assert heard == [("closed", "直波一村", DAY)]


def test_a_follower_that_fails_rolls_the_registry_change_back(unit):
    def refuse(unit, when):
        raise RuntimeError("follower failed")

    follow.register("refusing", unit_closed=refuse)
    try:
        with pytest.raises(RuntimeError):
            services.merge([unit("直波村")], DAY, into=unit("松岗村"))
    finally:
        follow.unregister("refusing")
    assert unit("直波村").valid_to is None  # one transaction: the merger is not recorded


def test_confirming_reconciliation_proposals_reaches_the_followers(maerkang, editions, unit, heard):
    run = ReconciliationRun.objects.create(from_edition=editions[2020], to_edition=editions[2021], scope="513201")
    ref = editions[2020].ref_date

    def entry(d, **extra):
        v = services.version_on(d, ref)
        return {"code": v.code, "name": v.name, "parent_code": v.parent.code, "level": v.level, **extra}

    village, township, gone = unit("党坝村"), unit("松岗镇"), unit("直波村")
    Proposal.objects.create(run=run, order=0, type="transfer", level=5, confidence=1, evidence="测试",
                            predecessors=[entry(village)],
                            successors=[entry(village, parent_code=township.code)], effective_date=DAY)
    Proposal.objects.create(run=run, order=1, type="abolish", level=5, confidence=1, evidence="测试",
                            predecessors=[entry(gone)], successors=[], effective_date=DAY)
    assert services.confirm_all(run) == (2, [])
    assert moved(heard) == ["党坝村"] and closed(heard) == ["直波村"]


def test_the_event_form_and_the_event_import_reach_the_followers(client, maerkang, unit, make_user, heard):
    client.force_login(make_user("office", Role.REFORM_OFFICE, maerkang))
    response = client.post(reverse("divisions:event_new"), {
        "type": "transfer", "effective_date": "2022-03-01", "predecessors": [unit("党坝村").pk],
        "successor": unit("松岗镇").pk})
    assert response.status_code == 302 and moved(heard) == ["党坝村"]

    wb = Workbook()
    wb.active.append(["变更类型", "生效日期", "批复文号", "涉及单位代码", "并入单位或新上级代码", "新名称", "新类别",
                      "新代码", "说明"])
    wb.active.append(["合并", "2022-03-01", "马府发〔2022〕3号", unit("直波村").code, unit("松岗村").code,
                      None, None, None, None])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "events.xlsx"
    response = client.post(reverse("divisions:event_import"), {"action": "upload", "file": buf})
    page = client.get(response["Location"]) if response.status_code == 302 else response
    client.post(reverse("divisions:event_import"), {"action": "confirm", "token": page.context["token"]})
    assert closed(heard) == ["直波村"]


def test_the_generated_demo_county_reaches_the_followers(db, heard):
    from xiangcun.divisions import demo

    demo._load_generated(lambda *a: None)
    assert closed(heard) == ["示例2镇"] + [f"示例{t}2村" for t in range(3, 9)]
    # the merged town's villages moved under 示例1镇 (and each village's groups with it)
    town = Division.objects.get(name="示例1镇")
    villages = set(DivisionVersion.objects.filter(parent__name="示例2镇", level=5).values_list("division_id", flat=True))
    assert villages and set(Division.objects.filter(pk__in=villages).values_list("name", flat=True)) <= set(moved(heard))
    assert all(d.path.startswith(town.path) for d in Division.objects.filter(pk__in=villages))


def test_nothing_outside_the_registry_services_changes_a_units_path_or_closes_it():
    # the admin could save a Division past the services (and the hooks): it is not there
    assert not admin.site.is_registered(Division) and not admin.site.is_registered(DivisionVersion)


@pytest.mark.django_db(transaction=True)
def test_a_backup_restore_calls_no_follow_hook(heard, settings, tmp_path):
    from xiangcun.core import backup

    settings.MEDIA_ROOT = tmp_path
    county = services.create_unit("示例县", "county", None, dt.date(2019, 1, 1), code="519901000000")
    town = services.create_unit("甲镇", "town", county, dt.date(2019, 1, 1))
    village = services.create_unit("甲村", "village", town, dt.date(2019, 1, 1))
    services.merge([village], DAY, into=services.create_unit("乙村", "village", town, dt.date(2019, 1, 1)))
    assert closed(heard) == ["甲村"]
    rows = sorted(Division.objects.values_list("pk", "path", "valid_to"))
    data = backup.create_backup()
    call_command("flush", interactive=False, verbosity=0)
    heard.clear()
    backup.restore_backup(data)
    assert sorted(Division.objects.values_list("pk", "path", "valid_to")) == rows
    assert heard == []


@pytest.mark.parametrize("model", [Division, Asset, Plan])
def test_no_business_rule_rides_on_a_model_signal(model):
    """Only the audit trail (core/audit.py, core/ledger.py) listens to these models' signals."""
    allowed = ("xiangcun.core.audit", "xiangcun.core.ledger")
    for name in ("pre_init", "post_init", "pre_save", "post_save", "pre_delete", "post_delete", "m2m_changed"):
        sync, asynchronous = getattr(signals, name)._live_receivers(model)
        strangers = [f"{r.__module__}.{r.__qualname__}" for r in [*sync, *asynchronous] if r.__module__ not in allowed]
        assert strangers == [], f"{model.__name__} {name}: {strangers}"
    # the audit trail is still there (the test would pass vacuously without it)
    assert any(r.__module__ == "xiangcun.core.audit" for r in signals.post_save._live_receivers(model)[0])

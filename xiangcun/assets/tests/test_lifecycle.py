"""Custody through mergers, the lifecycle rules and the revitalisation plans."""
import datetime as dt
from decimal import Decimal

import pytest

from xiangcun.assets import services
from xiangcun.assets.models import Asset, PlanStatus, Status
from xiangcun.core.models import AuditEntry

TODAY = dt.date.today()


def events(asset):
    return list(AuditEntry.objects.filter(object_type="assets.asset", object_id=str(asset.pk)).order_by("seq"))


def test_assets_of_an_abolished_township_are_in_the_custody_of_its_successor(new_asset, unit):
    asset = new_asset(holder="卓克基镇")
    assert asset.holder == unit("卓克基镇") and asset.custodian == unit("马尔康镇")
    assert services.custody_text(asset) == "原属卓克基镇(已撤并),现由马尔康镇管护"
    kept = new_asset(holder="松岗镇", ledger_no="SG-1")
    assert kept.custodian == kept.holder and not kept.custody_moved


def test_custody_follows_a_later_merger(new_asset, unit, cast):
    from xiangcun.divisions import services as registry

    asset = new_asset(holder="党坝村", ledger_no="DB-1")
    assert asset.custodian == unit("党坝村")
    into = unit("党坝乡").children.filter(valid_to__isnull=True).exclude(pk=unit("党坝村").pk).first()
    registry.merge([unit("党坝村")], dt.date(2024, 1, 1), into=into, document="马府民政〔2024〕1号")
    asset.refresh_from_db()  # the merger itself moved the custody, no button pressed
    assert asset.custodian == into and asset.holder == unit("党坝村")
    assert events(asset)[-1].action == "asset.custody"
    assert services.refresh_custody(Asset.objects.all(), cast["caizheng"]) == 0


def test_a_merger_dated_in_the_future_moves_custody_once_it_takes_effect(new_asset, unit, cast):
    from xiangcun.divisions import services as registry

    asset = new_asset(holder="党坝村", ledger_no="DB-1")
    into = unit("党坝乡").children.filter(valid_to__isnull=True).exclude(pk=unit("党坝村").pk).first()
    later = TODAY + dt.timedelta(days=30)
    registry.merge([unit("党坝村")], later, into=into, document="马府民政〔2024〕1号")
    asset.refresh_from_db()
    assert asset.custodian == unit("党坝村")
    assert services.refresh_custody(Asset.objects.all(), cast["caizheng"], when=later) == 1
    asset.refresh_from_db()
    assert asset.custodian == into


def test_each_step_is_a_named_audited_event_and_wrong_steps_are_refused(new_asset, cast):
    user = cast["caizheng"]
    asset = new_asset()
    with pytest.raises(services.AssetError, match="只适用于状态为已清查、在用、已盘活"):
        services.transition(asset, "mark_idle", user)
    services.transition(asset, "check", user)
    services.transition(asset, "mark_idle", user, when=dt.date(2023, 1, 1))
    asset.refresh_from_db()
    assert asset.status == Status.IDLE and asset.status_since == dt.date(2023, 1, 1)
    actions = [e.action for e in events(asset)]
    assert actions[-2:] == ["asset.check", "asset.mark_idle"]
    assert events(asset)[-1].data["to"] == "闲置"
    with pytest.raises(services.AssetError, match="不能晚于今天"):
        services.transition(asset, "put_in_use", user, when=TODAY + dt.timedelta(days=3))


def test_writing_off_needs_an_approval_document_and_a_reason(idle_asset, cast):
    user, asset = cast["caizheng"], idle_asset()
    with pytest.raises(services.AssetError, match="必须填写批复文号"):
        services.transition(asset, "write_off", user, reason="危房")
    with pytest.raises(services.AssetError, match="必须填写说明理由"):
        services.transition(asset, "write_off", user, document="马财资〔2024〕3号")
    assert Asset.objects.get(pk=asset.pk).status == Status.IDLE
    services.transition(asset, "write_off", user, document="马财资〔2024〕3号", reason="鉴定为D级危房,已拆除")
    last = events(asset)[-1]
    assert last.action == "asset.write_off"
    assert last.data["justification"] == "鉴定为D级危房,已拆除" and last.data["document"] == "马财资〔2024〕3号"


def test_an_idle_school_becomes_a_kindergarten(idle_asset, cast, unit):
    user = cast["caizheng"]
    school = idle_asset(name="原卓克基小学校舍", category="school", ledger_no="ZKJ-SCH")
    with pytest.raises(services.AssetError, match="需要填写:新用途"):
        services.propose_plan(school, cast["maerkang"], route="public_use")
    plan = services.propose_plan(school, cast["maerkang"], route="public_use", new_use="kindergarten",
                                 responsible_unit=unit("马尔康镇"))
    with pytest.raises(services.AssetError, match="已有待审批"):
        services.propose_plan(school, user, route="public_use", new_use="elderly_care")
    with pytest.raises(services.AssetError, match="必须填写批复文号"):
        services.approve_plan(plan, user)
    services.approve_plan(plan, user, "马府函〔2024〕12号")
    assert Asset.objects.get(pk=school.pk).status == Status.PLAN_APPROVED
    services.complete_plan(plan, user, dt.date(2024, 9, 1), outcome_note="已开园")
    school.refresh_from_db()
    plan.refresh_from_db()
    assert school.status == Status.REVITALISED and plan.status == PlanStatus.DONE
    assert [e.action for e in events(school)][-3:] == ["plan.propose", "asset.approve_plan", "asset.revitalise"]


def test_a_sale_below_valuation_is_refused_without_a_logged_justification(idle_asset, cast):
    user = cast["caizheng"]
    asset = idle_asset()  # valued at 1,200,000
    plan = services.propose_plan(asset, user, route="sale", buyer="某公司", sale_price=Decimal("900000"),
                                 venue="state_exchange", transaction_ref="MEK-2024-001")
    services.approve_plan(plan, user, "马府函〔2024〕20号")
    with pytest.raises(services.AssetError, match="低于评估价值.*少 300,000.00 元"):
        services.complete_plan(plan, user, dt.date(2024, 10, 1))
    assert Asset.objects.get(pk=asset.pk).status == Status.PLAN_APPROVED
    services.complete_plan(plan, user, dt.date(2024, 10, 1), justification="两次挂牌流拍后经批准降价")
    asset.refresh_from_db()
    assert asset.status == Status.DISPOSED
    last = events(asset)[-1]
    assert last.action == "asset.dispose"
    assert last.data["justification"] == "两次挂牌流拍后经批准降价" and last.data["price"] == "900000.00"


def test_a_sale_at_valuation_needs_no_justification_but_an_unvalued_one_does(idle_asset, cast):
    user = cast["caizheng"]
    asset = idle_asset()
    plan = services.propose_plan(asset, user, route="sale", buyer="某公司", sale_price=Decimal("1250000"),
                                 venue="state_exchange", transaction_ref="MEK-2024-001")
    services.approve_plan(plan, user, "文号1")
    services.complete_plan(plan, user, dt.date(2024, 10, 1))
    unvalued = idle_asset(ledger_no="ZKJ-002", valuation=None, valuation_date=None)
    plan = services.propose_plan(unvalued, user, route="state_capital", recipient="马尔康市国投公司",
                                 transfer_value=Decimal("500000"))
    services.approve_plan(plan, user, "文号2")
    with pytest.raises(services.AssetError, match="没有评估价值"):
        services.complete_plan(plan, user, dt.date(2024, 10, 1))


def test_a_cancelled_plan_returns_the_asset_to_idle(idle_asset, cast):
    user = cast["caizheng"]
    asset = idle_asset()
    plan = services.propose_plan(asset, user, route="industry", lessee="合作社", annual_rent=Decimal("36000"),
                                 term_start=dt.date(2024, 1, 1), term_end=dt.date(2028, 12, 31))
    services.approve_plan(plan, user, "文号")
    with pytest.raises(services.AssetError, match="须填写理由"):
        services.cancel_plan(plan, user, "")
    services.cancel_plan(plan, user, "承租方退出")
    assert Asset.objects.get(pk=asset.pk).status == Status.IDLE


def test_ledger_rules_refuse_negative_areas_and_future_dates(new_asset):
    with pytest.raises(services.AssetError, match="建筑面积不能为负数"):
        new_asset(floor_area=Decimal("-1"))
    with pytest.raises(services.AssetError, match="不能是将来的日期"):
        new_asset(acquired_on=TODAY + dt.timedelta(days=1))
    new_asset()
    with pytest.raises(services.AssetError, match="已存在"):
        new_asset()


def test_idle_buildings_is_plain_data_for_the_facility_planner(idle_asset, new_asset, unit, cast):
    idle_asset(name="原卓克基小学", category="school", ledger_no="A1")
    idle_asset(name="闲置车辆", category="vehicle", ledger_no="A2")
    new_asset(ledger_no="A3")  # pending, not idle
    rows = services.idle_buildings(unit("马尔康镇"))
    assert [(r.ledger_no, r.category, r.custodian, r.floor_area, r.status_label) for r in rows] == [
        ("A1", "school", "马尔康镇", Decimal("820.50"), "闲置")]
    assert rows[0].lon == 102.2
    assert services.idle_buildings(unit("松岗镇")) == []
    assert services.idle_buildings(None, user=cast["songgang"]) == []

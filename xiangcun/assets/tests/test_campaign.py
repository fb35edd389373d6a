"""Inventory campaigns: checks by township staff, discrepancies, unchecked assets of abolished units, sign-off."""
import datetime as dt
from decimal import Decimal

import pytest

from xiangcun.assets import services
from xiangcun.assets.models import Asset, Status


def test_a_campaign_from_checks_to_sign_off(new_asset, cast, maerkang):
    old = new_asset(holder="卓克基镇", ledger_no="ZKJ-1")
    lost = new_asset(holder="卓克基镇", ledger_no="ZKJ-2", name="原农机站")
    here = new_asset(holder="马尔康镇", ledger_no="MEK-1", name="镇文化站")
    elsewhere = new_asset(holder="党坝乡", ledger_no="DB-1")
    campaign = services.open_campaign(cast["caizheng"], "2024年清查", maerkang, dt.date(2024, 6, 30))
    assert services.campaign_progress(campaign).unchecked_abolished == 2

    staff = cast["maerkang"]  # township staff of 马尔康镇 check what is in their custody
    services.record_check(campaign, old, staff, "found")
    with pytest.raises(services.AssetError, match="须填写核实说明"):
        services.record_check(campaign, lost, staff, "not_found")
    services.record_check(campaign, lost, staff, "not_found", note="已被拆除,无拆除手续")
    services.record_check(campaign, here, staff, "changed", found_floor_area=Decimal("410"))
    with pytest.raises(services.AssetError, match="不在您的管辖范围内"):
        services.record_check(campaign, elsewhere, staff, "found")

    assert Asset.objects.get(pk=old.pk).status == Status.CHECKED
    assert Asset.objects.get(pk=lost.pk).status == Status.PENDING  # not found: stays to be resolved
    progress = services.campaign_progress(campaign)
    assert (progress.total, progress.checked, progress.discrepancies, progress.unchecked_abolished) == (4, 3, 2, 0)

    with pytest.raises(services.AssetError, match="须填写清查结论"):
        services.close_campaign(campaign, cast["caizheng"], " ")
    with pytest.raises(services.AssetError, match="尚有 1 项资产未核实"):
        services.close_campaign(campaign, cast["caizheng"], "基本相符")
    services.close_campaign(campaign, cast["caizheng"], "党坝乡 1 项资产因道路中断未能核实,下期补查。")
    campaign.refresh_from_db()
    assert campaign.closed and campaign.signed_off_by == cast["caizheng"]
    with pytest.raises(services.AssetError, match="已结束签发"):
        services.record_check(campaign, elsewhere, cast["caizheng"], "found")


def test_a_township_campaign_covers_only_its_assets(new_asset, cast, unit):
    new_asset(holder="卓克基镇", ledger_no="ZKJ-1")
    new_asset(holder="党坝乡", ledger_no="DB-1")
    campaign = services.open_campaign(cast["caizheng"], "马尔康镇清查", unit("马尔康镇"), dt.date(2024, 6, 30))
    assert [a.ledger_no for a in services.campaign_assets(campaign)] == ["ZKJ-1"]
    with pytest.raises(services.AssetError, match="已撤并"):
        services.open_campaign(cast["caizheng"], "x", unit("卓克基镇"), dt.date(2024, 6, 30))

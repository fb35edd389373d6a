"""Lease income in the asset ledger feeds the village collective economy indicators (CE_ASSET_RENT)."""
import datetime as dt
import re
from decimal import Decimal

from xiangcun.assets import services
from xiangcun.indicators.models import DataValue


def rent(village):
    return {v.period: v.number for v in DataValue.objects.filter(element__code="CE_ASSET_RENT", unit=village)}


def lease(idle_asset, cast, unit, **terms):
    user = cast["caizheng"]
    asset = idle_asset(holder="党坝村", ledger_no="DB-OLD", name="党坝村原村委会办公楼")
    plan = services.propose_plan(asset, user, route="industry", lessee="马尔康市某农民专业合作社",
                                 annual_rent=Decimal("120000"), responsible_unit=unit("党坝村"), **terms)
    services.approve_plan(plan, user, "马府函〔2022〕8号")
    return plan


def test_a_lease_carried_out_counts_its_rent_for_the_days_of_each_year(idle_asset, cast, unit):
    plan = lease(idle_asset, cast, unit, term_start=dt.date(2022, 7, 1), term_end=dt.date(2025, 6, 30))
    assert rent(unit("党坝村")) == {}  # approved is not yet income
    services.complete_plan(plan, cast["caizheng"], dt.date(2022, 7, 1))
    got = rent(unit("党坝村"))
    assert got["2022"] == Decimal("6.0493")  # 120,000 元 × 184/365 days, in 万元
    assert got["2023"] == got["2024"] == Decimal("12.0000")
    assert got["2025"] == Decimal("5.9507")  # to 30 June
    assert "2021" not in got and "2026" not in got


def test_after_a_merger_the_rent_goes_to_the_village_that_took_the_asset_over(idle_asset, cast, unit):
    from xiangcun.divisions import services as registry

    plan = lease(idle_asset, cast, unit, term_start=dt.date(2023, 7, 1), term_end=dt.date(2024, 6, 30))
    services.complete_plan(plan, cast["caizheng"], dt.date(2023, 7, 1))
    assert rent(unit("党坝村")) == {"2023": Decimal("6.0493"), "2024": Decimal("5.9672")}  # 184/365, 182/366
    into = unit("党坝乡").children.filter(valid_to__isnull=True).exclude(pk=unit("党坝村").pk).first()
    registry.merge([unit("党坝村")], dt.date(2024, 1, 1), into=into, document="马府民政〔2024〕1号")
    assert rent(unit("党坝村")) == {"2023": Decimal("6.0493")}  # its own year stays its own
    assert rent(into) == {"2024": Decimal("5.9672")}  # from the merger on, the successor's collective earns it


def test_the_collective_economy_pages_show_the_ledger_rent(idle_asset, cast, unit, client, maerkang):
    from xiangcun.indicators import services as indicators

    plan = lease(idle_asset, cast, unit, term_start=dt.date(2023, 1, 1), term_end=dt.date(2023, 12, 31))
    services.complete_plan(plan, cast["caizheng"], dt.date(2023, 1, 1))
    indicators.save_collective(cast["office"], unit("党坝村"), 2023, business_income=Decimal("150000"))
    client.force_login(cast["office"])
    listing = client.get(f"/indicators/collective/?scope={maerkang.pk}&year=2023").content.decode()
    row = listing.split('id="collective-list"')[1].split("</table>")[0]
    assert "其中资产出租(台账)" in row and re.search(r"党坝村.*150,?000\.00.*120,?000\.00", row, re.S)
    form = client.get(f"/indicators/collective/{unit('党坝村').pk}/2023/").content.decode()
    assert re.search(r"出租集体资产收入 120,?000\.00 元", form)


def test_the_rent_follows_a_new_holder_and_leaves_with_a_deleted_asset(idle_asset, cast, unit):
    from xiangcun.assets.models import Asset

    user = cast["caizheng"]
    plan = lease(idle_asset, cast, unit, term_start=dt.date(2023, 1, 1), term_end=dt.date(2023, 12, 31))
    services.complete_plan(plan, user, dt.date(2023, 1, 1))
    assert rent(unit("党坝村")) == {"2023": Decimal("12.0000")}
    # the ledger corrects who held the asset: the rent is the other village's
    services.update_asset(Asset.objects.get(pk=plan.asset_id), user, holder=unit("松岗村"))
    assert rent(unit("党坝村")) == {} and rent(unit("松岗村")) == {"2023": Decimal("12.0000")}
    asset = Asset.objects.get(pk=plan.asset_id)
    services.delete_asset(asset, user, "重复登记")
    assert rent(unit("松岗村")) == {}
    services.restore_asset(asset, user)
    assert rent(unit("松岗村")) == {"2023": Decimal("12.0000")}

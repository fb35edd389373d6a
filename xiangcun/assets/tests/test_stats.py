"""Utilisation and revitalisation statistics by scope and period."""
import datetime as dt
from decimal import Decimal

from xiangcun.assets import services, stats
from xiangcun.assets.models import Asset


def test_statistics_count_idle_revitalised_and_income(idle_asset, new_asset, cast, maerkang, unit):
    user = cast["caizheng"]
    idle_asset(ledger_no="I-1")  # idle since 2022-03-01, 820.5 m²
    leased = idle_asset(ledger_no="L-1", holder="松岗镇")
    plan = services.propose_plan(leased, user, route="industry", lessee="合作社", annual_rent=Decimal("36500"),
                                 term_start=dt.date(2024, 1, 1), term_end=dt.date(2026, 12, 31))
    services.approve_plan(plan, user, "文号")
    services.complete_plan(plan, user, dt.date(2024, 1, 1))
    sold = idle_asset(ledger_no="S-1", holder="党坝乡")
    plan = services.propose_plan(sold, user, route="sale", buyer="某公司", sale_price=Decimal("1300000"),
                                 venue="state_exchange", transaction_ref="MEK-2024-001")
    services.approve_plan(plan, user, "文号")
    services.complete_plan(plan, user, dt.date(2024, 6, 1))
    new_asset(ledger_no="P-1")

    rep = stats.report(Asset.objects.visible_to(user), maerkang, dt.date(2024, 1, 1), dt.date(2024, 12, 31), 12)
    t = rep.total
    assert (t.total, t.idle, t.idle_area, t.long_idle) == (4, 1, Decimal("820.50"), 1)
    assert (t.revitalised, t.disposed) == (1, 1)
    assert t.lease_income == Decimal("36600.00")  # 366 days of 2024 at 100 yuan a day
    assert t.sale_income == Decimal("1300000")
    assert rep.by_route["支持产业发展"]["count"] == 1 and rep.by_route["市场化处置变现"]["count"] == 1
    by_name = {r.name: r for r in rep.rows}
    assert by_name["马尔康镇"].total == 2 and by_name["党坝乡"].disposed == 1
    assert round(t.utilisation, 1) == round(820.5 / (820.5 * 3) * 100, 1)

    # a township sees its own figures only
    mine = stats.report(Asset.objects.visible_to(cast["songgang"]), unit("松岗镇"), dt.date(2025, 1, 1),
                        dt.date(2025, 12, 31), 12)
    assert mine.total.total == 1 and mine.total.lease_income == Decimal("36500.00") and mine.total.revitalised == 0
    rows = list(stats.export_rows(rep))
    assert rows[-1][0] == "合计" and len(rows[-1]) == len(stats.EXPORT_HEADERS)

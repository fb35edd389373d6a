"""The workbench shows ledger staff and township staff the assets that wait for them."""
import datetime as dt

from django.urls import reverse

from xiangcun.assets import services


def counts(client, user):
    client.force_login(user)
    page = client.get(reverse("workbench:home"))
    return {c.label: (c.value, c.url) for card in page.context["cards"] if card.title == "公有资产"
            for c in card.counts}, page


def test_ledger_staff_see_pending_idle_and_proposed(client, cast, new_asset, idle_asset, unit, maerkang):
    new_asset(ledger_no="ZKJ-001")
    school = idle_asset(name="原卓克基小学校舍", category="school", ledger_no="ZKJ-SCH")
    got, page = counts(client, cast["caizheng"])
    assert got["待清查"][0] == 1 and got["闲置超12个月"][0] == 1 and got["方案待审批"][0] == 0
    assert "登记资产" in page.content.decode()
    listed = client.get(got["待清查"][1]).content.decode()
    assert "ZKJ-001" in listed and "ZKJ-SCH" not in listed

    services.propose_plan(school, cast["maerkang"], route="public_use", new_use="kindergarten",
                          responsible_unit=unit("马尔康镇"))
    got, _ = counts(client, cast["caizheng"])
    assert got["方案待审批"][0] == 1
    listed = client.get(got["方案待审批"][1]).content.decode()
    assert "ZKJ-SCH" in listed and "ZKJ-001" not in listed

    assert got["进行中的清查"][0] == 0
    services.open_campaign(cast["caizheng"], "2024年清查", maerkang, dt.date(2024, 6, 30))
    assert counts(client, cast["caizheng"])[0]["进行中的清查"][0] == 1


def test_other_townships_and_other_roles(client, cast, new_asset, make_user, maerkang):
    new_asset(ledger_no="ZKJ-001")  # 卓克基镇 merged into 马尔康镇: the 马尔康镇 desk holds it
    assert counts(client, cast["maerkang"])[0]["待清查"][0] == 1
    got, page = counts(client, cast["dangba"])
    assert got["待清查"][0] == 0
    assert "登记资产" not in page.content.decode()  # township staff check, they do not keep the ledger
    assert counts(client, cast["minzheng"])[0] == {}  # 民政 has no part in the asset ledger

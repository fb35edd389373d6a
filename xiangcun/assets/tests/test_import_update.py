"""An update import changes only what the sheet fills in: a blank cell keeps the stored value, (清空)
clears it, and the preview lists every change (field: old → new) before anything is written."""
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook

from xiangcun.assets.models import Asset
from xiangcun.core.audit import AuditEntry


def upload(client, rows):
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "台账.xlsx"
    return client.post(reverse("assets:import"), {"file": buf})


def confirm(client, preview):
    return client.post(reverse("assets:import"), {"action": "confirm", "token": preview.context["token"]})


@pytest.fixture
def full_asset(new_asset):
    return new_asset(ledger_no="DEMO-100-0001", address="卓克基镇西索村1号", floor_area=Decimal("1742"),
                     land_area=Decimal("2300"), built_year=1998, acquired_on=dt.date(2001, 6, 1),
                     book_value=Decimal("350000"), property_cert="马房权证字第2005123号")


def test_a_sparse_update_keeps_every_blank_field_and_previews_the_one_change(client, cast, full_asset):
    client.force_login(cast["caizheng"])
    before = AuditEntry.objects.count()
    preview = upload(client, [["资产编号", "名称", "类别", "原权属单位"],
                              ["DEMO-100-0001", "卓克基镇原政府办公楼(综合楼)", "办公用房", "卓克基镇"]])
    page = preview.content.decode()
    assert preview.status_code == 200, preview.context["result"].errors
    assert preview.context["counts"].updated == 1
    row = preview.context["result"].rows[0]
    assert row.changes == [("资产名称", "卓克基镇原政府办公楼", "卓克基镇原政府办公楼(综合楼)")]
    assert "将要修改的内容" in page and "卓克基镇原政府办公楼(综合楼)" in page
    assert AuditEntry.objects.count() == before  # the preview writes nothing

    assert confirm(client, preview).status_code == 302
    asset = Asset.objects.get(ledger_no="DEMO-100-0001")
    assert asset.name == "卓克基镇原政府办公楼(综合楼)"
    assert (asset.address, asset.floor_area, asset.land_area, asset.built_year) == (
        "卓克基镇西索村1号", Decimal("1742"), Decimal("2300"), 1998)
    assert (asset.acquired_on, asset.book_value, asset.property_cert) == (
        dt.date(2001, 6, 1), Decimal("350000"), "马房权证字第2005123号")
    assert (asset.lon, asset.lat, asset.valuation) == (102.2, 31.9, Decimal("1200000"))
    entry = AuditEntry.objects.filter(object_id=str(asset.pk), action__endswith="update").latest("seq")
    changed = {k for k in entry.after if entry.before.get(k) != entry.after.get(k)}
    assert changed == {"name"}  # the audit trail shows the one change, not every field turning to —


def test_clear_mark_empties_a_field_and_a_required_or_non_nullable_column_refuses_it(client, cast, full_asset):
    client.force_login(cast["caizheng"])
    preview = upload(client, [["资产编号", "名称", "类别", "原权属单位", "房产证号", "建筑面积(㎡)"],
                              ["DEMO-100-0001", "卓克基镇原政府办公楼", "办公用房", "卓克基镇", "（清空）", "(清空)"]])
    assert preview.status_code == 200, preview.context["result"].errors
    assert preview.context["result"].rows[0].changes == [
        ("建筑面积(㎡)", "1742", "—"), ("房产证号", "马房权证字第2005123号", "—")]
    assert confirm(client, preview).status_code == 302
    asset = Asset.objects.get(ledger_no="DEMO-100-0001")
    assert (asset.floor_area, asset.property_cert, asset.address) == (None, "", "卓克基镇西索村1号")

    refused = upload(client, [["资产编号", "名称", "类别", "原权属单位"],
                              ["DEMO-100-0001", "(清空)", "办公用房", "卓克基镇"]])
    assert refused.status_code == 400
    assert [(e.column, e.reason) for e in refused.context["result"].errors] == [("资产名称", "必填列不能填“(清空)”")]


def test_reimporting_an_unchanged_sparse_row_is_unchanged(client, cast, full_asset):
    client.force_login(cast["caizheng"])
    preview = upload(client, [["资产编号", "名称", "类别", "原权属单位", "建筑面积"],
                              ["DEMO-100-0001", "卓克基镇原政府办公楼", "办公用房", "卓克基镇", 1742]])
    assert preview.context["counts"].unchanged == 1 and preview.context["result"].rows[0].changes == []


@pytest.mark.parametrize("area", ["12345678901234567", "1e30", 1e30, "abc", -1])
def test_an_oversized_area_is_refused_in_the_preview_and_the_ledger_stays_usable(client, cast, area):
    client.force_login(cast["caizheng"])
    preview = upload(client, [["资产编号", "名称", "类别", "原权属单位", "建筑面积(㎡)", "建成年份"],
                              ["BIG-1", "大房子", "办公用房", "卓克基镇", area, 1e30]])
    assert preview.status_code == 400
    reasons = {e.column: e.reason for e in preview.context["result"].errors}
    assert set(reasons) == {"建筑面积(㎡)", "建成年份"}
    assert all(re.search(r"[\u4e00-\u9fff]", r) for r in reasons.values()), reasons
    assert not Asset.objects.filter(ledger_no="BIG-1").exists()
    assert client.get("/assets/").status_code == 200


def test_a_bad_area_in_a_campaign_check_names_the_field_and_the_value(client, cast, new_asset):
    from xiangcun.assets import services

    asset = new_asset(holder="松岗村", ledger_no="SG-1", name="松岗村旧村委会")
    campaign = services.open_campaign(cast["caizheng"], "清查", asset.custodian.parent, dt.date(2024, 1, 1))
    client.force_login(cast["caizheng"])
    response = client.post(f"/assets/campaigns/{campaign.pk}/check/",
                           {"asset": asset.pk, "result": "found", "found_floor_area": "abc"}, follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert "实测面积“abc”" in text and "请选择资产和核实结果" not in text
    response = client.post(f"/assets/campaigns/{campaign.pk}/check/",
                           {"asset": asset.pk, "result": "found", "found_floor_area": "1e30"}, follow=True)
    assert "实测面积“1e30”" in " ".join(str(m) for m in response.context["messages"])

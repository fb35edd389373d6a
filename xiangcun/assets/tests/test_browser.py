"""The main flow of the assets module, clicked through in headless Chromium: import a ledger, see the
custody of a merged township's assets, check them in a campaign, revitalise an idle school, export."""
import io

import pytest
from openpyxl import Workbook, load_workbook

from conftest import sign_in

pytestmark = [pytest.mark.browser]


def ledger_file(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["资产编号", "资产名称", "资产类别", "原权属单位", "建筑面积(㎡)", "评估价值(元)", "评估日期", "房产证号", "状态"])
    ws.append(["ZKJ-0001", "原卓克基小学校舍", "学校校舍", "卓克基镇", 1600, 2400000, "2023-05-01",
               "川(2019)马尔康市不动产权第0001234号", "已清查"])
    ws.append(["ZKJ-0002", "卓克基镇原政府办公楼", "办公用房", "卓克基镇", 820, None, None, "无证", ""])
    ws.append(["SG-0001", "松岗村旧村委会", "村级活动场所", "松岗村", 300, None, None, "无证", "在用"])
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    return path


@pytest.mark.django_db(transaction=True)
def test_finance_office_runs_the_ledger_from_the_browser(page, cast, tmp_path):
    sign_in(page, "caizheng")
    page.click(".sidebar >> text=资产台账")
    page.click("text=从 Excel 导入")
    page.set_input_files("input[type=file]", str(ledger_file(tmp_path)))
    page.click("button:has-text('上传并预览')")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=导入完成")
    page.screenshot(path=str(tmp_path / "list.png"), full_page=True)

    # assets of 卓克基镇 now in the custody of 马尔康镇
    page.select_option("select[name=custody]", "moved")
    page.click("button:has-text('查询')")
    rows = page.inner_text("#asset-table")
    assert "卓克基镇" in rows and "马尔康镇" in rows and "SG-0001" not in rows
    page.click("text=原卓克基小学校舍")
    assert "该资产现由 马尔康镇 管护" in page.inner_text("#custody")

    # an inventory campaign: the unchecked abolished-unit assets stand out; check one
    page.click(".sidebar >> text=清查核实")
    page.click("text=发起清查核实")
    page.fill("input[name=name]", "2024年清查")
    page.select_option("select[name=scope]", label="马尔康市")
    page.click("button:has-text('保存')")
    page.screenshot(path=str(tmp_path / "campaign_new.png"), full_page=True)
    assert page.inner_text("#unchecked-abolished") == "2"
    row = page.locator("#check-table tr", has_text="ZKJ-0002")
    row.locator("button:has-text('登记')").click()
    page.wait_for_selector("text=已登记核实结果")
    assert page.inner_text("#unchecked-abolished") == "1"
    page.screenshot(path=str(tmp_path / "campaign.png"), full_page=True)

    # the idle school becomes a kindergarten
    page.goto(page.base + "/assets/?q=ZKJ-0001")
    page.click("#asset-table >> text=原卓克基小学校舍")
    page.click("#transitions button:has-text('登记为闲置')")
    page.wait_for_selector("text=状态已更新")
    page.click("text=提出盘活方案")
    page.check("input[value=public_use]")
    page.select_option("select[name=new_use]", "kindergarten")
    assert not page.is_visible("input[name=lessee]")  # only the chosen route's fields show
    page.fill("input[name=approval_document]", "马府函〔2024〕12号")
    page.click("button:has-text('提交并批准')")
    page.wait_for_selector(".badge:has-text('盘活方案已批')")
    page.click("text=登记实施结果")
    page.fill("input[name=outcome_date]", "2024-09-01")
    page.click("button:has-text('登记')")
    page.wait_for_selector(".page-title .badge:has-text('已盘活')")
    assert "改作幼儿园" in page.inner_text("#plans")
    page.screenshot(path=str(tmp_path / "detail.png"), full_page=True)

    # statistics, with the charts drawn, exported to Excel
    page.click(".sidebar >> text=盘活统计")
    page.wait_for_selector("#stats-chart canvas")
    page.wait_for_selector("#route-chart canvas")
    assert "改作公益用房\t1" in page.inner_text("#route-table")
    with page.expect_download() as download:
        page.click("#stats-export")
    wb = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "单位" and rows[-1][0] == "合计" and rows[-1][1] == 3
    page.screenshot(path=str(tmp_path / "stats.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_signing_off_with_unchecked_assets_asks_for_a_confirmation_naming_the_count(page, cast, new_asset, maerkang,
                                                                                    tmp_path):  # noqa: F811
    import datetime as dt

    from xiangcun.assets import services
    from xiangcun.assets.models import Campaign

    for n in range(3):
        new_asset(ledger_no=f"ZKJ-{n}")
    campaign = services.open_campaign(cast["caizheng"], "2024年清查", maerkang, dt.date(2024, 6, 30))
    sign_in(page, "caizheng")
    page.goto(page.base + f"/assets/campaigns/{campaign.pk}/")
    summary = "卓克基镇 3 项资产因道路中断未能核实,下期补查。"
    page.fill("textarea[name=summary]", summary)
    page.click("#close-card button:has-text('签发')")
    page.wait_for_selector("#confirm-unchecked")
    assert page.inner_text("#confirm-unchecked") == "还有3项资产未核实,确认签收?"
    assert page.input_value("textarea[name=summary]") == summary  # what was typed is kept
    assert not Campaign.objects.get().closed
    page.screenshot(path=str(tmp_path / "confirm.png"), full_page=True)
    page.click("#close-card button:has-text('确认签发')")
    page.wait_for_selector("#signoff")
    assert Campaign.objects.get().closed

"""The main flows of the divisions module, clicked through in headless Chromium."""
import pytest

from conftest import page, sign_in  # noqa: F401  (the root conftest's; re-exported for older imports)
from xiangcun.accounts.models import Role

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_office_browses_the_registry_and_the_statistics(page, maerkang, make_user, tmp_path):
    make_user("office", Role.REFORM_OFFICE, maerkang)
    sign_in(page, "office")
    assert "全市乡镇从14个减为13个" in page.inner_text(".reform-text")
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)

    page.click(".sidebar >> text=区划单位")
    page.fill("input[name=q]", "卓克基")
    page.select_option("select[name=status]", "all")
    page.click("button:has-text('查询')")
    page.click("table >> text=卓克基镇")
    page.wait_for_selector("text=现由")
    page.wait_for_selector("#lineage canvas")  # the ECharts lineage graph drew itself
    assert "马尔康镇" in page.inner_text(".alert-warning")
    page.screenshot(path=str(tmp_path / "detail.png"), full_page=True)

    page.click(".sidebar >> text=改革统计")
    page.fill("input[name=scope]", "513201")
    page.fill("input[name=date_from]", "2019-10-31")
    page.fill("input[name=date_to]", "2020-06-30")
    page.click("button:has-text('统计')")
    page.wait_for_selector("#stats-chart canvas")
    assert "建制村从105个减为94个" in page.inner_text("#reform-text")
    rows = page.inner_text("#stats-table")
    assert "乡级单位合计\t14\t13\t-1\t-7.14%" in rows
    page.screenshot(path=str(tmp_path / "stats.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_office_reconciles_two_editions_from_the_browser(page, editions, make_user):
    from xiangcun.divisions import services

    services.adopt_baseline(editions[2019], "513201")
    make_user("office", Role.REFORM_OFFICE, services.lookup("513201000000", editions[2019].ref_date))
    sign_in(page, "office")
    page.click(".sidebar >> text=版本比对")
    page.select_option("select[name=from_edition]", label=str(editions[2019]))
    page.select_option("select[name=to_edition]", label=str(editions[2020]))
    page.fill("input[name=scope]", "513201")
    page.click("button:has-text('开始比对')")
    page.wait_for_selector(".job-status:has-text('已完成')")
    assert "100%" in page.inner_text(".progress")
    page.click("text=查看结果")
    page.select_option("select[name=type]", "merge")
    page.click("button:has-text('筛选')")
    row = page.locator("tr", has_text="卓克基镇")
    row.locator("button:has-text('确认')").click()
    page.wait_for_selector("text=已确认,变更已写入区划台账")
    from xiangcun.divisions.models import Division

    assert str(Division.objects.get(name="卓克基镇").valid_to) == "2020-06-30"

"""The main flow in headless Chromium: the village agent takes a case, the township processes it,
the agent records delivery, and the measures page shows it."""
import pytest

from xiangcun.divisions.tests.test_browser import page, sign_in  # noqa: F401  (the shared browser fixture)

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_agent_township_and_measures_in_the_browser(page, cast, items, tmp_path):  # noqa: F811
    sign_in(page, "agent")
    page.click(".sidebar >> text=受理代办")
    page.wait_for_load_state("load")  # choosing an item reloads the page with its materials checklist
    page.select_option("#item-select", label="[民政] 高龄津贴申请(5个工作日)")
    page.wait_for_selector("#case-form")
    page.fill("input[name=resident_name]", "泽仁卓玛")
    page.fill("input[name=resident_id_number]", "11010519491231002")  # a wrong 身份证号 first
    page.check("#materials input[value=身份证]")
    page.click("button:has-text('受理')")
    page.wait_for_selector(".alert >> text=身份证号")
    page.fill("input[name=resident_id_number]", "11010519491231002X")
    page.click("button:has-text('受理')")
    page.wait_for_selector("text=已受理,受理编号")
    assert "110***********002X" in page.inner_text("#resident") and "泽**" in page.inner_text("#resident")
    assert "尚缺:户口簿" in page.inner_text("#materials")
    page.screenshot(path=str(tmp_path / "taken.png"), full_page=True)
    page.click("#show-pii")
    page.wait_for_selector("#resident-full")
    assert "11010519491231002X" in page.inner_text("#resident-full")
    page.click("#transitions button:has-text('转办')")
    page.wait_for_selector("#case-status:has-text('已转办')")
    url = page.url

    sign_in(page, "songgang")
    page.click(".sidebar >> text=代办件")
    page.click("#case-table >> text=高龄津贴申请")
    page.click("#transitions button:has-text('开始办理')")
    page.wait_for_selector("#case-status:has-text('办理中')")
    page.fill("input[name=result]", "经审核符合条件,自下月起发放高龄津贴")
    page.click("#transitions button:has-text('办结')")
    page.wait_for_selector("#case-status:has-text('已办结')")
    page.screenshot(path=str(tmp_path / "completed.png"), full_page=True)

    sign_in(page, "agent")
    page.goto(url)
    page.select_option("select[name=delivery]", "home")
    page.click("#transitions button:has-text('送达')")
    page.wait_for_selector("#case-status:has-text('已送达')")
    assert "最多跑一次" in page.inner_text("#trips")
    assert [r.split("\t")[1] for r in page.inner_text("#steps").splitlines()] == ["已受理", "已转办", "办理中", "已办结", "已送达"]

    page.click(".sidebar >> text=办件统计")
    page.wait_for_selector("#month-chart canvas")
    assert page.inner_text("#kpi-taken") == "1" and page.inner_text("#kpi-completed") == "1"
    assert page.inner_text("#kpi-ontime") == "100.0%" and page.inner_text("#kpi-onetrip") == "100.0%"
    assert "高龄津贴申请" in page.inner_text("#item-measures")
    page.screenshot(path=str(tmp_path / "measures.png"), full_page=True)

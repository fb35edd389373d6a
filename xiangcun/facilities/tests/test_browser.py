"""The main flow in headless Chromium: a planner sees the diagnosis, runs a school consolidation with a
45-per-class limit and a travel cap, and compares it with another scenario."""
import pytest

from xiangcun.accounts.models import Role

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_planner_diagnoses_runs_a_consolidation_and_compares(page, make_user, maerkang, county_data, tmp_path):
    from xiangcun.divisions import geo
    from xiangcun.facilities import planning

    from .conftest import place

    geo.generate_demo_geometry(maerkang)  # polygons for the maps; the villages keep the test's positions
    for i, v in enumerate(county_data["villages"]):
        place(v, 102.0 + 0.05 * i, 31.9)
    planner = make_user("jiaoyu", Role.DEPARTMENT, maerkang, department="教育")
    other = planning.create(planner, name="宽松方案", service="primary", scope=county_data["sg"], model="add", year=2023,
                            params={"p": 1, "time_limit": 5})
    planning.start_run(other, planner)

    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", "jiaoyu")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button:has-text('登录')")
    page.wait_for_selector("text=工作台")
    page.click(".sidebar >> text=现状诊断")
    page.select_option("select[name=scope]", label="　松岗镇")
    page.wait_for_selector("#crowded >> text=松岗镇中心小学")
    assert "松岗村小" in page.inner_text("#underused")
    assert "2 / 2" in page.inner_text("#kpi-big")
    page.wait_for_selector("#diag-map path.leaflet-interactive >> nth=0")
    page.screenshot(path=str(tmp_path / "diagnosis.png"), full_page=True)

    page.click("text=新建布局方案")
    page.fill("#id_name", "撤并方案45人")
    page.select_option("#id_model", "consolidate")
    page.fill("#id_year", "2023")
    page.fill("#id_max_travel", "30")
    page.fill("#id_class_limit", "45")
    page.fill("#id_time_limit", "5")
    page.click("button:has-text('保存并求解')")
    page.wait_for_selector("text=查看结果", timeout=30000)
    page.click("text=查看结果")
    page.wait_for_selector("#headline")
    assert "45 人/班" in page.inner_text("#solver") and "间隙" in page.inner_text("#solver")
    assert "松岗镇中心小学" in page.inner_text("#site-table")
    page.wait_for_selector("#result-map path.leaflet-interactive >> nth=0")
    page.screenshot(path=str(tmp_path / "result.png"), full_page=True)

    page.click(".sidebar >> text=布局方案")
    page.check("input[aria-label='选择撤并方案45人']")
    page.check("input[aria-label='选择宽松方案']")
    page.click("#compare-btn")
    table = page.inner_text("#compare-table")
    assert "撤并方案45人" in table and "宽松方案" in table and "平均出行" in table
    page.wait_for_selector("[data-bar-chart] canvas")
    # each indicator's label stays on one line (it once wrapped a character per line beside the scenarios)
    wrapped = page.evaluate("""() => Array.from(document.querySelectorAll('#compare-table tbody tr td:first-child')).filter(td => {
        const r = document.createRange(); r.selectNodeContents(td);
        return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size > 1; }).map(td => td.textContent)""")
    assert not wrapped, f"labels wrap: {wrapped}"
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)

"""The main flow in headless Chromium: the village agent takes a case, the township processes it,
the agent records delivery, and the measures page shows it."""
import pytest

from conftest import sign_in

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_agent_township_and_measures_in_the_browser(page, cast, items, tmp_path):
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


@pytest.mark.django_db(transaction=True)
def test_a_refused_intake_keeps_every_ticked_material_and_shows_every_error(page, cast, items, tmp_path):  # noqa: F811
    """Two wrong fields: both messages beside their fields at once, and every ticked material still ticked."""
    from xiangcun.services.models import Case

    sign_in(page, "agent")
    page.click(".sidebar >> text=受理代办")
    page.wait_for_load_state("load")
    page.select_option("#item-select", label="[残联] 残疾人证办理(10个工作日)")
    page.wait_for_selector("#case-form")
    page.fill("input[name=resident_name]", "泽仁卓玛")
    page.fill("input[name=resident_id_number]", "11010519491231002")  # check digit missing
    page.fill("input[name=resident_phone]", "abc")
    for m in ("身份证", "照片", "体检表"):
        page.check(f"#materials input[value={m}]")
    page.click("button:has-text('受理')")
    page.wait_for_selector("#error-resident_phone")
    assert "身份证号" in page.inner_text("#error-resident_id_number")
    assert "手机号“abc”应为 11 位数字" in page.inner_text("#error-resident_phone")
    assert [page.is_checked(f"#materials input[value={m}]") for m in ("身份证", "照片", "体检表")] == [True] * 3
    assert page.input_value("input[name=resident_phone]") == "abc"
    page.screenshot(path=str(tmp_path / "intake-errors.png"), full_page=True)
    page.fill("input[name=resident_id_number]", "11010519491231002X")
    page.fill("input[name=resident_phone]", "13912345678")
    page.click("button:has-text('受理')")
    page.wait_for_selector("text=已受理,受理编号")
    assert Case.objects.get().materials_received == ["身份证", "照片", "体检表"]
    assert "尚缺" not in page.inner_text("#materials")

"""The care registry's flows in headless Chromium: an import with a duplicate across villages, a carer's overdue
visit done from the workbench, a referral closed by 教育局; screenshots in $CARE_SHOTS (or the test's tmp dir)."""
import datetime as dt
import os
from pathlib import Path

import pytest

from conftest import page, sign_in  # noqa: F401
from xiangcun.care.models import Referral, ReferralStatus, Visit

from .conftest import born_years_ago, ident
from .test_import import sheet

pytestmark = [pytest.mark.browser]
TODAY = dt.date.today()


def shot(page, tmp_path, name):
    folder = Path(os.environ.get("CARE_SHOTS") or tmp_path)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_import_with_a_duplicate_across_villages_is_refused_with_both_rows(page, cast, unit, tmp_path):
    twin = ident("513201" + born_years_ago(40) + "515")
    data = sheet([
        ["丁一", twin, unit("松岗村").code, "残疾人", "视力残疾", "一级", None, None, None],
        ["丁一", twin, unit("党坝村").code, "残疾人", "视力残疾", "一级", None, None, None],
    ])
    upload = tmp_path / "名单.xlsx"
    upload.write_bytes(data)
    sign_in(page, "c_minzheng")
    page.goto(page.base + "/care/people/")
    page.click("text=导入名单")
    page.set_input_files("input[name=file]", str(upload))
    page.click("button:has-text('上传并预览')")
    page.wait_for_selector("#import-summary")
    errors = page.inner_text("#import-errors")
    assert "第 4 行(党坝村)" in errors and "第 3 行(松岗村)" in errors and "两个村" in errors
    assert twin not in errors  # the duplicate is reported masked
    shot(page, tmp_path, "import_duplicate")
    from xiangcun.care.models import Person

    assert not Person.objects.filter(name="丁一").exists()


@pytest.mark.django_db(transaction=True)
def test_a_carer_does_an_overdue_visit_from_the_workbench(page, cast, tmp_path):
    person = cast["db"]
    person.registered_on = TODAY - dt.timedelta(days=120)
    person.save()
    sign_in(page, "c_carer")
    card = page.locator("#cards .card", has_text="关爱服务")
    assert "走访已逾期" in card.inner_text()
    shot(page, tmp_path, "workbench_carer")
    card.locator("a.home-count", has_text="走访已逾期").click()
    page.wait_for_selector("#due-table")
    assert "李**" in page.inner_text("#due-table")
    page.click("#due-table >> text=记录走访")
    page.select_option("select[name=mode]", "home")
    page.fill("textarea[name=findings]", "老人身体尚好,冬季取暖需帮助")
    page.fill("textarea[name=needs]", "取暖用煤")
    shot(page, tmp_path, "visit_form")
    page.click("button:has-text('保存走访记录')")
    page.wait_for_selector("text=已记录对 李** 的走访")
    assert "没有待走访的关爱对象" in page.inner_text("#due-table")
    assert Visit.objects.get(person=person).findings.startswith("老人身体尚好")


@pytest.mark.django_db(transaction=True)
def test_a_referral_is_closed_by_the_education_bureau(page, cast, tmp_path):
    sign_in(page, "c_agent")
    page.goto(page.base + f"/care/people/{cast['sg'].pk}/")
    shot(page, tmp_path, "person_detail")
    page.click("a.btn:has-text('转介')")
    page.select_option("select[name=body]", label=cast["education"].name)
    page.fill("input[name=need]", "协调就近入学")
    page.fill("input[name=deadline]", (TODAY + dt.timedelta(days=10)).isoformat())
    page.click("button:has-text('转介')")
    page.wait_for_selector(f"text=已转介至 {cast['education'].name}")

    sign_in(page, "c_jiaoyu")
    page.click(".sidebar >> text=工作台")
    shot(page, tmp_path, "workbench_education")
    page.locator("#cards a.home-count", has_text="待办转介").click()
    page.wait_for_selector("#referral-table")
    page.click("#referral-table >> text=协调就近入学")
    page.fill("textarea[name=outcome]", "已安排到松岗小学就读,落实寄宿")
    page.click("button:has-text('办结')")
    page.wait_for_selector("#referral-status:has-text('已办结')")
    shot(page, tmp_path, "referral_closed")
    assert Referral.objects.get(person=cast["sg"]).status == ReferralStatus.CLOSED


@pytest.mark.django_db(transaction=True)
def test_pages_of_the_register_render(page, cast, tmp_path):
    sign_in(page, "c_minzheng")
    page.goto(page.base + "/care/people/")
    assert "欧**" in page.inner_text("#person-table")
    shot(page, tmp_path, "list")
    page.goto(page.base + "/care/")
    page.wait_for_selector("#care-map.leaflet-container")
    page.wait_for_timeout(500)
    assert "合计" in page.inner_text("#stats-table")
    shot(page, tmp_path, "stats")

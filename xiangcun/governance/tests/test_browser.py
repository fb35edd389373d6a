"""The governance flows clicked through in headless Chromium: a township adopts the county template and publishes
a new version; a 准入 request is approved into a township's 属地事项 list."""
import datetime as dt
import os

import pytest

from conftest import sign_in
from xiangcun.accounts.models import Role

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("XIANGCUN_SHOTS")


def shot(page, tmp_path, name):
    page.screenshot(path=str((SHOTS and os.path.join(SHOTS, name)) or tmp_path / name), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_township_adopts_the_template_and_publishes_a_new_version(page, template, unit, make_user, tmp_path):
    from xiangcun.governance.models import ListKind, ResponsibilityList

    sg = unit("松岗镇")
    make_user("sg", Role.TOWNSHIP, sg, display_name="松岗镇李四")
    sign_in(page, "sg")
    page.click(".sidebar >> text=权责清单")
    page.click("#list-table >> text=马尔康市乡镇(街道)权责清单(县级模板)")
    page.select_option("#adopt select", label="松岗镇")
    page.click("#adopt button:has-text('采用')")
    page.wait_for_selector("text=松岗镇已采用县级模板")
    assert "草案" in page.inner_text("#list-state")
    assert "松岗镇综合行政执法办公室" in page.inner_text("#item-table")
    shot(page, tmp_path, "gov_adopted.png")
    # adjust: a new item carried by one of the township's offices
    page.click("text=添加事项")
    page.fill("#id_name", "集镇风貌巡查")
    page.select_option("#id_category", label="行政检查")
    page.select_option("#id_body", label="松岗镇经济发展办公室")
    page.click("button:has-text('保存')")
    page.wait_for_selector("#item-table >> text=集镇风貌巡查")
    # publish the first version, then draft and publish a second one
    page.click("a:has-text('发布')")
    page.fill("#id_doc_number", "松府发〔2024〕5号")
    page.fill("#id_effective_from", "2024-05-01")
    page.click("button:has-text('发布')")
    page.wait_for_selector("text=已发布“")
    page.click("text=起草新版本")
    page.click("button:has-text('确定')")
    page.wait_for_selector("text=已起草第2版")
    row = page.locator("#item-table tr", has_text="村级财务公开监督")
    row.locator("text=删除").click()
    page.click("button:has-text('确定')")
    page.wait_for_selector("text=已从草案中删除事项")
    page.click("a:has-text('发布')")
    page.fill("#id_doc_number", "松府发〔2025〕9号")
    page.fill("#id_effective_from", "2025-07-01")
    page.click("button:has-text('发布')")
    page.wait_for_selector("text=已发布“")
    page.click("a.btn:has-text('版本比对')")
    shot(page, tmp_path, "gov_compare.png")
    assert "删除 1 项" in page.inner_text("#diff-summary")
    assert "村级财务公开监督" in page.inner_text("#diff-removed")
    shot(page, tmp_path, "gov_compare.png")
    versions = ResponsibilityList.objects.filter(unit=sg, kind=ListKind.DUTIES).order_by("version")
    assert [(v.version, v.effective_to) for v in versions] == [(1, dt.date(2025, 6, 30)), (2, None)]


@pytest.mark.django_db(transaction=True)
def test_an_admission_request_is_approved_into_a_townships_list(page, offices, maerkang, unit, make_user, tmp_path):
    from xiangcun.governance.models import ListKind, ResponsibilityList

    make_user("yj", Role.DEPARTMENT, maerkang, department="应急", display_name="应急局王五")
    make_user("office", Role.REFORM_OFFICE, maerkang, display_name="改革办赵六")
    sign_in(page, "yj")
    page.click(".sidebar >> text=事项准入")
    page.click("text=申请事项准入")
    page.fill("#id_name", "汛期地质灾害隐患点巡查")
    page.fill("#id_cooperation", "发现报告、协助配合")
    page.fill("#id_reason", "汛期隐患点多面广,需乡镇网格员日常巡查")
    page.check("label:has-text('党坝乡') input")
    shot(page, tmp_path, "gov_admission_form.png")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已提交事项准入申请")
    sign_in(page, "office")
    page.click(".sidebar >> text=事项准入")
    page.click("#admission-table >> text=汛期地质灾害隐患点巡查")
    page.select_option("#id_decision", "approve")
    page.fill("#id_note", "同意准入")
    page.click("button:has-text('提交审批')")
    page.wait_for_selector("text=已准入,事项列入 1 个乡镇")
    assert "已准入" in page.inner_text("#admission-status")
    shot(page, tmp_path, "gov_admission_approved.png")
    page.click("#admitted-lists >> text=党坝乡")
    assert "马尔康市应急管理局" in page.inner_text("#item-table")
    shot(page, tmp_path, "gov_local_list.png")
    lst = ResponsibilityList.objects.get(unit=unit("党坝乡"), kind=ListKind.LOCAL)
    assert list(lst.local_items.values_list("name", flat=True)) == ["汛期地质灾害隐患点巡查"]
    assert not ResponsibilityList.objects.filter(unit=unit("松岗镇"), kind=ListKind.LOCAL).exists()


@pytest.mark.django_db(transaction=True)
def test_the_office_places_the_staff_of_a_merged_township(page, offices, maerkang, unit, make_user, tmp_path):
    from xiangcun.bodies.models import Body
    from xiangcun.divisions import services as registry
    from xiangcun.governance import services_staffing
    from xiangcun.governance.models import Post, Staff

    office = make_user("office", Role.REFORM_OFFICE, maerkang, display_name="改革办赵六")
    db_office = Body.objects.get(unit=unit("党坝乡"), short_name="社会事务办公室")
    for name, number in (("杨措", "513201199001010050"), ("王芳", "513201199001010077")):
        services_staffing.save_staff(None, Staff(body=db_office, name=name, id_number=number, kind="institutional"))
    target = Body.objects.get(unit=unit("松岗镇"), short_name="社会事务办公室")
    services_staffing.save_post(None, Post(body=target, name="社会救助岗"))
    services_staffing.save_post(None, Post(body=target, name="养老服务岗"))
    registry.merge([unit("党坝乡")], dt.date(2025, 6, 1), into=unit("松岗镇"), user=office)
    sign_in(page, "office")
    page.click(".sidebar >> text=撤并人员安置")
    assert "2 人待安置" in page.inner_text(".page-title")
    shot(page, tmp_path, "gov_placement.png")
    row = page.locator("#placement-table tr", has_text="杨措")
    assert "松岗镇社会事务办公室" in row.inner_text()
    row.locator("select").select_option(label="松岗镇社会事务办公室 · 社会救助岗")
    row.locator("button:has-text('安置')").click()
    page.wait_for_selector("text=已将杨措安置到")
    assert "1 人待安置" in page.inner_text(".page-title")
    assert "杨措" not in page.inner_text("#placement-table")
    placed = Staff.objects.get(name="杨措")
    assert placed.post.name == "社会救助岗" and placed.body == target

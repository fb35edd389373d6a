"""前置审查 in the browser, the whole flow: the township registers a site (a point outside China is refused beside
its field, what was typed kept) → 自然资源 passes → 水利 refuses with a reason → the township's approval is refused
in Chinese → 水利 reviews again and passes with conditions → the township approves."""
import os

import pytest

from conftest import page, sign_in  # noqa: F401
from xiangcun.accounts.models import Role

pytestmark = [pytest.mark.browser]


def _review(page, app_pk, aspect, outcome, reason=""):  # noqa: F811
    page.goto(f"{page.base}/prereview/{app_pk}/")
    page.click(f"#aspect-{aspect} >> a")
    page.check(f"input[name=outcome][value={outcome}]")
    if reason:
        page.fill("#id_reason", reason)
    page.click("button:has-text('提交审查意见')")
    page.wait_for_url(f"**/prereview/{app_pk}/")
    assert "已录入" in page.inner_text("body")


@pytest.mark.django_db(transaction=True)
def test_township_registers_departments_review_and_the_township_approves(page, maerkang, unit, make_user, tmp_path):  # noqa: F811
    from xiangcun.prereview.models import Application, Status

    make_user("songgang", Role.TOWNSHIP, unit("松岗镇"), display_name="松岗镇工作人员")
    make_user("ziran", Role.DEPARTMENT, maerkang, department="自然资源", display_name="李国强")
    make_user("shuili", Role.DEPARTMENT, maerkang, department="水利", display_name="王建华")
    shots = os.environ.get("XC_SHOTS") or str(tmp_path)

    sign_in(page, "songgang")
    page.click(".sidebar >> text=建房选址前置审查")
    page.click("text=登记选址申请")
    page.fill("#id_name", "松岗村二组村民住房新建")
    page.fill("#id_applicant", "泽仁")
    page.select_option("#id_village", label="\u3000\u3000松岗村")
    page.fill("#id_lon", "31.9")  # longitude and latitude swapped
    page.fill("#id_lat", "31.9")
    page.click("button:has-text('保存')")
    assert "经度 31.9 不在中国境内" in page.inner_text("#error-lon")
    assert page.input_value("#id_name") == "松岗村二组村民住房新建"
    page.screenshot(path=f"{shots}/prereview_form_error.png", full_page=True)
    page.fill("#id_lon", "102.2")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已登记前置审查申请")
    app = Application.objects.get(name="松岗村二组村民住房新建")
    assert "等待自然资源部门审查" in page.inner_text("#aspect-geo")

    sign_in(page, "ziran")
    _review(page, app.pk, "geo", "pass")
    sign_in(page, "shuili")
    _review(page, app.pk, "flood", "refused", "选址位于梭磨河行洪通道内")
    assert "不通过" in page.inner_text("#aspect-flood")

    sign_in(page, "songgang")
    page.goto(f"{page.base}/prereview/{app.pk}/")
    page.click("button:has-text('批准')")
    message = page.inner_text("#approve-error")
    assert "不能批准" in message and "水利的行洪安全审查未通过(原因:选址位于梭磨河行洪通道内)" in message
    page.screenshot(path=f"{shots}/prereview_approval_refused.png", full_page=True)
    app.refresh_from_db()
    assert app.status == Status.REVIEWING

    sign_in(page, "shuili")
    _review(page, app.pk, "flood", "conditional", "房屋退让河道管理范围线 10 米,地坪抬高 0.5 米")

    sign_in(page, "songgang")
    page.goto(f"{page.base}/prereview/?waiting=geo")
    assert "没有符合条件的申请" in page.inner_text("#application-table")
    page.goto(f"{page.base}/prereview/?state=ready")
    page.click("#application-table >> text=松岗村二组村民住房新建")
    page.fill("input[name=note]", "同意选址,按审查条件建设")
    page.click("button:has-text('批准')")
    page.wait_for_selector("text=已批准“松岗村二组村民住房新建”的建房选址")
    assert "同意选址" in page.inner_text("#approval")
    page.wait_for_selector("#site-map .leaflet-interactive, #site-map .map-note, #site-map .map-empty", state="attached")
    page.screenshot(path=f"{shots}/prereview_detail.png", full_page=True)
    app.refresh_from_db()
    assert app.status == Status.APPROVED

    page.goto(f"{page.base}/prereview/stats/")
    row = page.inner_text("#stats-table tbody tr")
    assert row.split() == ["松岗镇", "1", "0", "0", "0", "1"]

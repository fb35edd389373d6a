"""An update import in the browser: the preview lists each change (原值 → 新值) before anything is written."""
import os

import pytest
from openpyxl import Workbook

from xiangcun.divisions.tests.test_browser import page, sign_in  # noqa: F401  (the shared browser fixture)

pytestmark = [pytest.mark.browser]


def sheet(tmp_path, name, rows):
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    path = tmp_path / name
    wb.save(path)
    return path


@pytest.mark.django_db(transaction=True)
def test_a_sparse_update_shows_its_one_change_and_keeps_the_rest(page, cast, tmp_path):  # noqa: F811
    shots = os.environ.get("XIANGCUN_SHOTS") or str(tmp_path)
    full = sheet(tmp_path, "台账.xlsx", [
        ["资产编号", "资产名称", "资产类别", "原权属单位", "坐落地址", "建筑面积(㎡)", "建成年份", "房产证号"],
        ["DEMO-100-0001", "卓克基镇原政府办公楼", "办公用房", "卓克基镇", "卓克基镇西索村1号", 1742, 1998, "马房权证字第2005123号"]])
    sparse = sheet(tmp_path, "只改名称.xlsx", [
        ["资产编号", "名称", "类别", "原权属单位", "房产证号"],
        ["DEMO-100-0001", "卓克基镇原政府综合楼", "办公用房", "卓克基镇", "(清空)"]])
    sign_in(page, "caizheng")
    for path in (full, sparse):
        page.goto(page.base + "/assets/import/")
        page.set_input_files("input[type=file]", str(path))
        page.click("button:has-text('上传并预览')")
        page.wait_for_selector("#import-summary")
        if path is sparse:
            page.screenshot(path=os.path.join(shots, "import_diff.png"), full_page=True)
            changes = page.inner_text("#import-changes")
            assert "卓克基镇原政府办公楼" in changes and "卓克基镇原政府综合楼" in changes
            assert "马房权证字第2005123号" in changes and "建筑面积" not in changes
        page.click("button:has-text('确认导入')")
        page.wait_for_selector("text=导入完成")
    page.goto(page.base + "/assets/?q=DEMO-100-0001")
    page.click("text=卓克基镇原政府综合楼")
    page.wait_for_selector("text=卓克基镇西索村1号")  # the detail page, not the list still unloading
    text = page.inner_text("body")
    assert "1742" in text and "卓克基镇西索村1号" in text

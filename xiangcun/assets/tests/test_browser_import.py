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


@pytest.mark.django_db(transaction=True)
def test_a_large_upload_shows_the_checks_progress_then_the_preview_and_writes_on_confirm(page, cast, tmp_path, settings):  # noqa: F811
    """Above the (here lowered) row threshold the check and the write run as background jobs; the page
    follows each job's progress and goes on by itself (the worker is played by the test: execute.call)."""
    from xiangcun.assets.models import Asset
    from xiangcun.core.jobs import execute
    from xiangcun.core.models import Job

    shots = os.environ.get("XIANGCUN_SHOTS") or str(tmp_path)
    settings.IMPORT_JOB_ROWS = 3
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued until run here
    rows = [["资产编号", "资产名称", "资产类别", "原权属单位", "坐落地址", "建筑面积(㎡)", "建成年份"]]
    rows += [[f"BIG-{i:03d}", f"卓克基镇第{i}号库房", "办公用房", "卓克基镇", f"卓克基镇西索村{i}号", 100 + i, 2000 + i]
             for i in range(1, 7)]
    path = sheet(tmp_path, "大批台账.xlsx", rows)
    sign_in(page, "caizheng")
    page.goto(page.base + "/assets/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('上传并预览')")
    page.wait_for_selector("#job-progress")
    assert "尚未写入任何数据" in page.inner_text("body") and "确认导入" not in page.inner_text("body")
    page.screenshot(path=os.path.join(shots, "import_job_progress.png"), full_page=True)

    execute.call(Job.objects.get(kind="excel_preview").pk)
    page.wait_for_selector("#import-summary")  # the progress page opened the preview by itself
    text = page.inner_text("body")
    assert "全部 6 行检查通过" in text and "新增 6" in text and "卓克基镇第6号库房" in text
    assert not Asset.objects.filter(ledger_no__startswith="BIG-").exists()
    page.screenshot(path=os.path.join(shots, "import_job_preview.png"), full_page=True)

    page.click("button:has-text('确认导入')")
    page.wait_for_selector("#job-progress")
    assert "写入" in page.inner_text(".page-title")
    execute.call(Job.objects.get(kind="excel_import").pk)
    page.wait_for_selector("text=导入完成")
    assert "新增 6 个" in page.inner_text("body")
    assert Asset.objects.filter(ledger_no__startswith="BIG-").count() == 6

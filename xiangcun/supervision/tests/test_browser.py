"""The whole supervision cycle clicked through in headless Chromium: import the task table → a township reports →
the office returns it → resubmitted → accepted → 督办单 for an overdue task → 销号 → the ranking."""
import datetime as dt
import os

import pytest

from conftest import sign_in
from xiangcun.supervision.tests.test_supervision import GOOD, HEAD, PDF, sheet

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("XIANGCUN_SHOTS")


def shot(page, tmp_path, name):
    page.screenshot(path=str((SHOTS and os.path.join(SHOTS, name)) or tmp_path / name), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_supervision_cycle(page, maerkang, people, tmp_path):
    from xiangcun.supervision.models import Report, Task

    today = dt.date.today()
    rows = [*GOOD, ["2.1", "优化机构编制和责任清单", "完成乡镇定岗定责定人", "民政局", "", "市委常委", today - dt.timedelta(days=5)]]
    table = tmp_path / "任务分解表.xlsx"
    table.write_bytes(sheet(rows, HEAD))
    evidence = tmp_path / "改造方案.pdf"
    evidence.write_bytes(PDF)

    sign_in(page, "sv_office")
    page.goto(page.base + "/supervision/import/")
    page.set_input_files("input[name=file]", str(table))
    page.click("button:has-text('上传并预览')")
    page.click("button:has-text('确认导入')")
    page.goto(page.base + "/supervision/")
    assert "完成乡镇定岗定责定人" in page.inner_text("#task-table")
    shot(page, tmp_path, "sv_list.png")
    page.goto(page.base + "/supervision/rounds/")
    page.fill("#id_title", "本月")
    page.fill("#id_period_start", today.replace(day=1).isoformat())
    page.fill("#id_period_end", (today + dt.timedelta(days=30)).isoformat())
    page.fill("#id_due", (today + dt.timedelta(days=10)).isoformat())
    page.click("button:has-text('设立')")
    page.wait_for_load_state()
    shot(page, tmp_path, "sv_rounds.png")
    page.wait_for_selector("#round-table >> text=本月")

    task = Task.objects.get(parent__number="1.2", lead__unit__name="松岗镇")
    detail = f"{page.base}/supervision/{task.pk}/"
    sign_in(page, "sv_songgang")
    page.goto(detail)
    page.click("#report-button")
    page.fill("#id_text", "改造方案已制定")
    page.fill("#id_percent", "100")
    page.set_input_files("#id_files", str(evidence))
    shot(page, tmp_path, "sv_report_form.png")
    page.click("button:has-text('报送')")
    page.wait_for_selector(".report-status:has-text('已报送待审核')")

    sign_in(page, "sv_office")
    page.goto(detail)
    page.select_option(".review-form select[name=decision]", "returned")
    page.fill(".review-form input[name=reason]", "缺少现场照片")
    page.click(".review-form button")
    page.wait_for_selector(".return-reason:has-text('缺少现场照片')")

    sign_in(page, "sv_songgang")
    page.goto(detail)
    page.click("#report-button")
    page.fill("#id_text", "已补充现场照片")
    page.fill("#id_percent", "100")
    page.click("button:has-text('报送')")
    page.wait_for_selector(".report-status:has-text('已报送待审核')")

    sign_in(page, "sv_office")
    page.goto(detail)
    page.click(".review-form button")  # 采纳 is the default choice
    page.wait_for_selector(".status-badge:has-text('已完成待核验')")
    assert Report.objects.get(task=task).status == "accepted"

    overdue = Task.objects.get(number="2.1")
    page.goto(f"{page.base}/supervision/{overdue.pk}/")
    assert "逾期" in page.inner_text(".status-badge")
    page.fill("#notice-card input[name=reply_due]", (today + dt.timedelta(days=7)).isoformat())
    page.fill("#notice-card textarea[name=matter]", "请说明逾期原因并提出整改措施")
    page.click("#notice-card button")
    page.wait_for_selector(f"#notices >> text=督办〔{today.year}〕1号")
    shot(page, tmp_path, "sv_notice.png")

    page.goto(detail)
    page.fill("#close-card input[name=verifier]", "张三")
    page.fill("#close-card textarea[name=evidence]", "核验了改造方案和现场照片")
    page.click("#close-card button")
    page.wait_for_selector("#closed:has-text('张三')")
    shot(page, tmp_path, "sv_detail_closed.png")

    page.goto(f"{page.base}/supervision/ranking/?year={task.deadline.year}")
    assert "松岗镇人民政府" in page.inner_text("#body-ranking")
    assert "松岗镇" in page.inner_text("#township-ranking")
    shot(page, tmp_path, "sv_ranking.png")


@pytest.mark.django_db(transaction=True)
def test_the_office_creates_and_edits_a_task_edits_the_scheme_and_publishes_the_ranking(page, maerkang, people, tmp_path):
    from xiangcun.supervision.models import Publication, Task

    today = dt.date.today()
    year_end = dt.date(today.year, 12, 31)  # the tasks count in this year's ranking whatever day the test runs
    sign_in(page, "sv_office")
    page.goto(page.base + "/supervision/")
    page.click("#new-task")
    page.fill("#id_number", "7")
    page.select_option("#id_level", "key")
    page.fill("#id_title", "优化机构编制和责任清单")
    page.select_option("#id_section", "staffing")
    page.fill("#id_lead", "不存在局")
    page.fill("#id_start", today.isoformat())
    page.fill("#id_deadline", year_end.isoformat())
    page.click("#save-task")
    error = page.locator("#id_lead ~ .field-error")
    assert "未在马尔康市的机构名录中登记" in error.inner_text()
    assert page.input_value("#id_title") == "优化机构编制和责任清单"  # every value kept
    assert not Task.objects.filter(number="7").exists()
    page.fill("#id_lead", "改革办")
    page.click("#save-task")
    page.wait_for_selector(".page-title:has-text('7 优化机构编制和责任清单')")
    key = Task.objects.get(number="7")

    page.click("#add-child")
    page.fill("#id_title", "编制乡镇权责清单")
    page.fill("#id_lead", "松岗镇人民政府")
    page.fill("#id_supporting", "民政局")
    page.fill("#id_deadline", (today - dt.timedelta(days=1)).isoformat())  # before the start the form suggested
    page.click("#save-task")
    assert "不能早于开始日期" in page.locator("#id_deadline ~ .field-error").inner_text()
    page.fill("#id_deadline", year_end.isoformat())
    page.fill("#id_milestones", f"{year_end.isoformat()} 完成初稿")
    page.click("#save-task")
    page.wait_for_selector("#lead:has-text('松岗镇人民政府')")
    measure = Task.objects.get(parent=key)
    assert measure.number == "7.1" and [b.name for b in measure.supporting.all()] == ["马尔康市民政局"]
    page.click("#edit-task")
    page.fill("#id_leader", "分管副市长")
    page.click("#save-task")
    page.wait_for_selector("text=分管副市长")
    assert "修改任务的配合单位、考核目标或节点" in page.inner_text("#history")
    shot(page, tmp_path, "sv_task_edited.png")

    page.goto(f"{page.base}/supervision/scheme/?year={today.year}")
    page.fill("#id_base", "30")
    page.click("#scheme-form button")
    assert "合计应为 100 分" in page.locator("#id_base ~ .field-error").inner_text()
    page.fill("#id_base", "10")
    page.fill("#id_targets", "30")
    page.click("#scheme-form button")
    page.wait_for_selector("#scheme-revision:has-text('第 1 版')")

    page.goto(f"{page.base}/supervision/ranking/?year={today.year}")
    assert "实时计算" in page.inner_text("#publication-status")
    page.fill("#publish-form input[name=note]", "月度考核")
    page.click("#publish-form button")
    page.wait_for_selector("#publication-status:has-text('已发布第 1 版')")
    assert "sv_office" in page.inner_text("#publication-status")
    assert "松岗镇人民政府" in page.inner_text("#body-ranking")
    assert Publication.objects.get().scheme_revision == 1
    shot(page, tmp_path, "sv_ranking_published.png")

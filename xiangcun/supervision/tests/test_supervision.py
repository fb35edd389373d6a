"""Task supervision: the 任务分解表 import (errors by row and column, nothing half-written) and export, who sees
which task, the reporting cycle (report → return → resubmit → accept → 销号), evidence files, concurrent review,
督办单, merger hand-over, the workbench card, the ranking and the progress sheet."""
import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiangcun.core.models import AuditEntry
from xiangcun.supervision import services
from xiangcun.supervision.imports import TaskImporter
from xiangcun.supervision.models import Notice, Report, ReportStatus, Round, Status, Task, TaskLevel

TODAY = dt.date.today()
HEAD = ["序号", "重点任务", "具体措施", "牵头单位", "配合单位", "责任领导", "完成时限"]


def sheet(rows, head=HEAD) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(head)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(data: bytes, name="任务分解表.xlsx"):
    return SimpleUploadedFile(name, data)


def import_sheet(county, data):
    importer = TaskImporter(county)
    result = importer.parse(upload(data))
    if result.ok:
        importer.import_rows(result.rows)
    return result


GOOD = [
    ["1.1", "盘活用好闲置公有资产", "清查撤并乡镇村公有资产并建立台账", "财政局", "自然资源局、民政", "分管副市长", TODAY + dt.timedelta(days=60)],
    ["1.2", "盘活用好闲置公有资产", "闲置用房改作公益用房", "各乡镇", "民政局", "", TODAY + dt.timedelta(days=90)],
    ["6.1", "优化养老服务布局", "推行片区化养老服务", "马尔康市民政局", "", "", TODAY + dt.timedelta(days=120)],
]


def test_the_breakdown_sheet_imports_tasks_with_bodies_and_township_assignments(maerkang, register):
    depts, govs = register
    result = import_sheet(maerkang, sheet(GOOD))
    assert result.ok, result.errors
    key = Task.objects.get(county=maerkang, number="1")
    assert key.level == TaskLevel.KEY and key.title == "盘活用好闲置公有资产" and key.section == "assets"
    measure = Task.objects.get(county=maerkang, number="1.1")
    assert measure.parent == key and measure.lead == depts["财政"] and measure.leader == "分管副市长"
    assert set(measure.supporting.all()) == {depts["自然资源"], depts["民政"]}
    assert Task.objects.get(county=maerkang, number="6.1").section == "public"  # from the key task's number
    townships = Task.objects.filter(parent__number="1.2", level=TaskLevel.ASSIGNMENT)
    assert {t.lead for t in townships} == set(govs.values())
    # importing the same sheet again changes nothing
    again = TaskImporter(maerkang).parse(upload(sheet(GOOD)))
    assert again.ok and {r.outcome for r in again.rows} == {"unchanged"}


def test_a_bad_sheet_lists_every_error_by_row_and_column_and_writes_nothing(maerkang, register):
    rows = [
        ["1.1", "盘活资产", "清查", "不存在局", "政府", "", TODAY + dt.timedelta(days=30)],
        ["1.2", "盘活资产", "处置", "财政局", "", "", TODAY + dt.timedelta(days=30)],
        ["1.2", "盘活资产", "重复", "财政局", "", "", TODAY + dt.timedelta(days=30)],
        ["x", "盘活资产", "序号不对", "财政局", "", "", TODAY + dt.timedelta(days=30)],
    ]
    result = import_sheet(maerkang, sheet(rows))
    assert not result.ok
    found = {(e.row, e.column): e.reason for e in result.errors}
    assert "未在马尔康市的机构名录中登记" in found[(2, "牵头单位")]
    assert "对应多个机构" in found[(2, "配合单位")] and "请写全称" in found[(2, "配合单位")]
    assert "重复" in found[(4, "序号")]
    assert "序号应写作" in found[(5, "序号")]
    assert not Task.objects.filter(county=maerkang).exists()


def test_a_deadline_before_the_start_is_refused(maerkang, register):
    head = HEAD + ["开始日期"]
    rows = [["2.1", "编制", "定岗定责", "民政局", "", "", dt.date(2026, 1, 1), dt.date(2026, 3, 1)]]
    result = import_sheet(maerkang, sheet(rows, head))
    assert [(e.row, e.column) for e in result.errors] == [(2, "完成时限")]
    assert "不能早于开始日期" in result.errors[0].reason


def test_the_export_has_the_import_layout_and_imports_back_unchanged(client, maerkang, register, people):
    import_sheet(maerkang, sheet(GOOD))
    client.force_login(people["office"])
    response = client.get(reverse("supervision:export"))
    data = b"".join(response.streaming_content) if response.streaming else response.content
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0][:7]) == HEAD
    assert [r[0] for r in rows[1:]] == ["1.1", "1.2", "6.1"]
    assert "各乡镇" in rows[2][3]
    again = TaskImporter(maerkang).parse(upload(data))
    assert again.ok, again.errors
    assert {r.outcome for r in again.rows} == {"unchanged"}


def test_a_township_sees_only_its_own_assignments_the_county_sees_all(client, maerkang, register, people):
    import_sheet(maerkang, sheet(GOOD))
    sg = Task.objects.get(parent__number="1.2", lead__unit__name="松岗镇")
    db = Task.objects.get(parent__number="1.2", lead__unit__name="党坝乡")
    client.force_login(people["songgang"])
    page = client.get(reverse("supervision:list")).content.decode()
    assert reverse("supervision:detail", args=[sg.pk]) in page
    assert reverse("supervision:detail", args=[db.pk]) not in page
    assert "清查撤并乡镇村公有资产" not in page  # a county department's measure
    assert client.get(reverse("supervision:detail", args=[db.pk])).status_code == 404
    client.force_login(people["office"])
    page = client.get(reverse("supervision:list")).content.decode()
    assert reverse("supervision:detail", args=[db.pk]) in page and "清查撤并乡镇村公有资产" in page


@pytest.fixture
def cycle(maerkang, register, people):
    import_sheet(maerkang, sheet(GOOD))
    rnd = Round.objects.create(county=maerkang, title="本月", period_start=TODAY.replace(day=1),
                               period_end=TODAY + dt.timedelta(days=30), due=TODAY + dt.timedelta(days=10))
    task = Task.objects.get(parent__number="1.2", lead__unit__name="松岗镇")
    return task, rnd


PDF = b"%PDF-1.4\n% test\n"


def test_the_reporting_cycle_return_resubmit_accept_close(client, cycle, people):
    task, rnd = cycle
    client.force_login(people["songgang"])
    url = reverse("supervision:report", args=[task.pk])
    form = {"round": rnd.pk, "body": task.lead_id, "text": "已完成改造方案", "percent": 100, "action": "submit"}
    response = client.post(url, {**form, "files": SimpleUploadedFile("方案.pdf", PDF)})
    assert response.status_code == 302
    report = Report.objects.get(task=task)
    assert report.status == ReportStatus.SUBMITTED and report.evidence.count() == 1
    # the office returns it: a return needs a reason
    client.force_login(people["office"])
    review = reverse("supervision:review", args=[report.pk])
    response = client.post(review, {"decision": "returned", "reason": ""})
    assert response.status_code == 400 and "退回时请填写退回理由" in response.content.decode()
    assert client.post(review, {"decision": "returned", "reason": "缺少现场照片"}).status_code == 302
    # the township sees it returned with the reason, on the task and on its workbench
    client.force_login(people["songgang"])
    page = client.get(reverse("supervision:detail", args=[task.pk])).content.decode()
    assert "缺少现场照片" in page and "已退回" in page
    home = client.get(reverse("workbench:home")).content.decode()
    assert "督查督办" in home and "被退回" in home
    assert client.post(url, {**form, "text": "已补充现场照片",
                             "files": SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n0000")}).status_code == 302
    client.force_login(people["office"])
    assert client.post(review, {"decision": "accepted"}).status_code == 302
    task.refresh_from_db()
    assert task.status == Status.DONE and task.percent == 100
    # 销号 needs a named verifier and the evidence
    close = reverse("supervision:close", args=[task.pk])
    response = client.post(close, {"verifier": "", "evidence": ""})
    assert response.status_code == 400
    assert "请填写核验人姓名" in response.content.decode() and "请填写销号依据" in response.content.decode()
    assert client.post(close, {"verifier": "张三", "evidence": "核验方案和照片"}).status_code == 302
    task.refresh_from_db()
    assert task.status == Status.CLOSED and task.verifier == "张三"
    actions = list(AuditEntry.objects.filter(action__startswith="supervision.").values_list("action", flat=True))
    assert actions.count("supervision.report_submitted") == 2 and "supervision.report_returned" in actions
    assert "supervision.report_accepted" in actions and "supervision.closed" in actions


def test_an_unfinished_task_cannot_be_closed(client, cycle, people):
    task, _ = cycle
    client.force_login(people["office"])
    response = client.post(reverse("supervision:close", args=[task.pk]), {"verifier": "张三", "evidence": "看过"})
    assert response.status_code == 400 and "任务尚未完成" in response.content.decode()
    task.refresh_from_db()
    assert task.closed_on is None


@pytest.mark.parametrize("name,content,message", [
    ("病毒.exe", b"MZ....", "类型不允许"),
    ("假的.pdf", b"<html>", "内容与扩展名 .pdf 不符"),
    ("太大.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "超过 10 MB"),
])
def test_forbidden_evidence_is_refused_beside_the_field_and_nothing_is_written(client, cycle, people, name, content, message):
    task, rnd = cycle
    client.force_login(people["songgang"])
    response = client.post(reverse("supervision:report", args=[task.pk]), {
        "round": rnd.pk, "body": task.lead_id, "text": "进展", "percent": 30, "action": "submit",
        "files": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in response.content.decode() and "已报送" not in response.content.decode()
    assert not Report.objects.filter(task=task).exists()


def test_another_township_cannot_report_for_the_task(client, cycle, people):
    task, _ = cycle
    client.force_login(people["dangba"])
    assert client.get(reverse("supervision:report", args=[task.pk])).status_code == 404
    client.force_login(people["minzheng"])  # the county sees the task but does not lead it
    assert client.get(reverse("supervision:report", args=[task.pk])).status_code == 404


def test_a_concurrent_review_is_applied_once(cycle, people):
    task, rnd = cycle
    report = services.file_report(people["songgang"], task, rnd, task.lead, text="进展", percent=50)
    services.review(people["office"], report.pk, accept=True)
    with pytest.raises(services.SupervisionError, match="已被审核"):
        services.review(people["office"], report.pk, accept=False, reason="晚了一步")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.reason == ""
    assert AuditEntry.objects.filter(action__in=("supervision.report_accepted", "supervision.report_returned")).count() == 1


def test_an_overdue_task_gets_a_numbered_notice_printable_as_docx_and_the_body_replies(client, maerkang, register, people):
    depts, _ = register
    task = Task.objects.create(county=maerkang, number="2.1", title="定岗定责", section="staffing", lead=depts["民政"],
                               start=TODAY - dt.timedelta(days=90), deadline=TODAY - dt.timedelta(days=3))
    client.force_login(people["office"])
    page = client.get(reverse("supervision:list") + "?status=overdue").content.decode()
    assert "定岗定责" in page and "逾期" in page
    response = client.post(reverse("supervision:notice_new", args=[task.pk]),
                           {"reply_due": (TODAY - dt.timedelta(days=1)).isoformat(), "matter": "说明原因"})
    assert response.status_code == 400 and "回复时限不能早于签发日期" in response.content.decode()
    assert not Notice.objects.exists()
    client.post(reverse("supervision:notice_new", args=[task.pk]),
                {"reply_due": (TODAY + dt.timedelta(days=5)).isoformat(), "matter": "请说明逾期原因"})
    notice = Notice.objects.get(task=task)
    assert notice.number_text == f"督办〔{TODAY.year}〕1号" and notice.body == depts["民政"]
    docx = client.get(reverse("supervision:notice_docx", args=[notice.pk]))
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert notice.number_text in text and "马尔康市民政局" in text and "请说明逾期原因" in text
    client.force_login(people["minzheng"])
    assert "督办中" in client.get(reverse("workbench:home")).content.decode()
    reply = reverse("supervision:notice_reply", args=[notice.pk])
    assert client.post(reply, {f"n{notice.pk}-reply": "已完成定岗定责,下周报送"}).status_code == 302
    notice.refresh_from_db()
    assert notice.status == "replied" and notice.reply.startswith("已完成")


def test_a_closed_bodys_open_tasks_pass_to_its_successor(maerkang, unit, register):
    from xiangcun.bodies.models import Body, BodyKind

    _, govs = register
    old = govs["党坝乡"]
    task = Task.objects.create(county=maerkang, number="3.1", title="规划", section="planning", lead=old,
                               deadline=TODAY + dt.timedelta(days=30))
    heir = Body.objects.create(name="松岗镇人民政府(承接)", kind=BodyKind.TOWNSHIP_GOVERNMENT, unit=unit("松岗镇"))
    old.valid_to, old.successor = TODAY, heir
    old.save()
    services.follow_closed_unit(old.unit, TODAY)
    task.refresh_from_db()
    assert task.lead == heir


def test_ranking_and_progress_sheet(client, cycle, people):
    task, rnd = cycle
    report = services.file_report(people["songgang"], task, rnd, task.lead, text="进展", percent=40)
    services.review(people["office"], report.pk, accept=False, reason="补材料")
    client.force_login(people["office"])
    page = client.get(reverse("supervision:ranking") + f"?year={task.deadline.year}").content.decode()
    assert "松岗镇人民政府" in page and 'id="township-ranking"' in page
    response = client.get(reverse("supervision:progress"))
    data = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "序号" and "红黄绿" in rows[0]
    assert any(r[0] == task.number and r[9] == "绿" for r in rows[1:])


def test_a_milestone_outside_the_task_span_is_refused_and_a_late_one_turns_the_task_amber(client, maerkang, register, people):
    depts, _ = register
    task = Task.objects.create(county=maerkang, number="4.1", title="产业", section="economy", lead=depts["农业农村"],
                               start=TODAY - dt.timedelta(days=60), deadline=TODAY + dt.timedelta(days=60))
    client.force_login(people["office"])
    url = reverse("supervision:milestone_new", args=[task.pk])
    response = client.post(url, {"title": "完成方案", "due": (TODAY + dt.timedelta(days=90)).isoformat()})
    assert response.status_code == 400 and "节点时限应在任务时限" in response.content.decode()
    assert not task.milestones.exists()
    # one working day late: amber (进度滞后)
    from xiangcun.services.calendar import Calendar

    cal, due = Calendar(), TODAY - dt.timedelta(days=1)
    while cal.between(due, TODAY) != 1:
        due -= dt.timedelta(days=1)
    assert client.post(url, {"title": "完成方案", "due": due.isoformat()}).status_code == 302
    task.refresh_from_db()
    assert task.status == Status.AT_RISK
    assert "黄 进度滞后" in client.get(reverse("supervision:detail", args=[task.pk])).content.decode()

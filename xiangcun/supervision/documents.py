"""Printable outputs: the 督办单 as a .docx (公文 layout: A4, GB/T 9704 margins, 仿宋 body, 小标宋 title) and the rows
of the 工作推进情况表 (.xlsx through core.excel.export_response)."""
from __future__ import annotations

import datetime as dt
import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from .models import ReportStatus

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PROGRESS_HEADERS = ["序号", "层级", "讲话部分", "任务", "牵头单位", "配合单位", "责任领导", "完成时限", "状态", "红黄绿",
                    "已采纳进度(%)", "最近采纳的进展", "督办单(份)", "销号日期", "核验人"]
LIGHTS = {"green": "绿", "amber": "黄", "red": "红"}


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _font(run, name: str, size):
    from docx.oxml.ns import qn

    run.font.name = name
    run.font.size = size
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _official_document():
    """An empty 公文 page (A4, GB/T 9704 margins) and a function adding a paragraph in 仿宋 三号 (16 pt), first
    line indented two characters unless aligned."""
    from docx import Document
    from docx.shared import Mm, Pt

    doc = Document()
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)

    def para(text, *, size=16, font="仿宋", align=None, bold=False, indent=True):
        p = doc.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent and align is None:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        run = p.add_run(text)
        run.bold = bold
        _font(run, font, Pt(size))
        return p

    return doc, para


def build_notice(notice):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc, para = _official_document()
    county, task = notice.county, notice.task
    para(f"{county.name}乡村两项改革“后半篇”工作", size=22, font="方正小标宋简体", align=WD_ALIGN_PARAGRAPH.CENTER)
    para("督 办 单", size=26, font="方正小标宋简体", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    para(notice.number_text, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(f"{notice.body.name}:", indent=False)
    para(f"根据{county.name}两项改革“后半篇”任务分解表,由你单位牵头的第 {task.number} 项任务“{task.title}”"
         f"(完成时限 {cn_date(task.deadline)})推进情况如下,现予督办。")
    para("督办事项:" + notice.matter)
    if task.evidence_required:
        para("佐证材料要求:" + task.evidence_required)
    para(f"请于 {cn_date(notice.reply_due)} 前将办理情况书面回复{county.name}两项改革工作领导小组办公室。")
    para(f"{county.name}两项改革工作领导小组办公室", align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(cn_date(notice.issued), align=WD_ALIGN_PARAGRAPH.RIGHT)
    if notice.reply:
        para("办理情况回复:" + notice.reply)
    return doc


def _docx_response(doc, filename: str) -> HttpResponse:
    out = io.BytesIO()
    doc.save(out)
    return HttpResponse(out.getvalue(), content_type=DOCX_TYPE,
                        headers={"Content-Disposition": content_disposition_header(True, filename)})


def notice_response(notice) -> HttpResponse:
    return _docx_response(build_notice(notice), f"{notice.number_text}{notice.body.name}.docx")


CN_NUMBERS = "一二三四五六七八九十"


def _lead_name(task) -> str:
    return task.lead.final_successor().name if task.lead.successor_id else task.lead.name


def build_bulletin(county, year: int, month: int, user=None, today: dt.date | None = None):
    """The monthly 督查通报 of a county (公文 layout): overall figures of the month, the tasks completed, the tasks
    overdue with their lead units named (and the units that reported late or had reports returned), and the next
    steps (tasks and reports due next month, 督办单 awaiting reply). `user` None: every task of the county."""
    import calendar as cal

    from django.db.models import Count, Q
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from . import services
    from .models import Notice, NoticeStatus, Report, Round, Status, Task, TaskLevel

    first = dt.date(year, month, 1)
    last = dt.date(year, month, cal.monthrange(year, month)[1])
    nxt_first = last + dt.timedelta(days=1)
    nxt_last = dt.date(nxt_first.year, nxt_first.month, cal.monthrange(nxt_first.year, nxt_first.month)[1])
    today = today or dt.date.today()
    base = Task.objects.visible_to(user) if user is not None else Task.objects.all()
    tasks = base.filter(county=county).exclude(level=TaskLevel.KEY)
    services.refresh_stale(tasks, today)
    tasks = tasks.select_related("lead", "lead__successor").order_by("number")
    counts = dict(tasks.values_list("status").annotate(n=Count("pk")).order_by())
    total = sum(counts.values())
    reports = Report.objects.filter(task__in=tasks, submitted_at__date__gte=first, submitted_at__date__lte=last)
    late_reports = reports.filter(late=True)
    returned = Report.objects.filter(task__in=tasks, reviewed_at__date__gte=first, reviewed_at__date__lte=last,
                                     status="returned")
    notices = Notice.objects.filter(task__in=tasks, issued__gte=first, issued__lte=last)
    completed = list(tasks.filter(Q(closed_on__gte=first, closed_on__lte=last) | Q(status=Status.DONE)))
    overdue = list(tasks.filter(status=Status.OVERDUE))
    due_next = list(tasks.exclude(status__in=(Status.CLOSED, Status.DONE)).filter(deadline__gte=nxt_first,
                                                                                   deadline__lte=nxt_last))
    open_notices = list(Notice.objects.filter(task__in=tasks, status=NoticeStatus.OPEN).select_related("body")
                        .order_by("reply_due", "seq"))
    next_rounds = list(Round.objects.filter(county=county, due__gte=nxt_first, due__lte=nxt_last).order_by("due"))

    doc, para = _official_document()
    para(f"{county.name}乡村两项改革“后半篇”工作", size=22, font="方正小标宋简体", align=WD_ALIGN_PARAGRAPH.CENTER)
    para("督 查 通 报", size=26, font="方正小标宋简体", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    para(f"{year}年第{month}期", align=WD_ALIGN_PARAGRAPH.CENTER)
    para(f"{county.name}两项改革工作领导小组办公室　　　　{cn_date(today)}", size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(f"关于{year}年{month}月两项改革“后半篇”重点任务推进情况的通报", size=22, font="方正小标宋简体",
         align=WD_ALIGN_PARAGRAPH.CENTER)
    para("各乡(镇)人民政府,市级各有关部门:", indent=False)
    para(f"现将{year}年{month}月两项改革“后半篇”重点任务推进情况通报如下。")
    para("一、总体情况", font="黑体")
    para(f"纳入督查的具体措施和分解任务共 {total} 项,其中已销号 {counts.get(Status.CLOSED, 0)} 项,"
         f"已完成待核验 {counts.get(Status.DONE, 0)} 项,正常推进 {counts.get(Status.ON_TRACK, 0)} 项,"
         f"进度滞后 {counts.get(Status.AT_RISK, 0)} 项,逾期 {counts.get(Status.OVERDUE, 0)} 项。"
         f"本月共报送进展 {reports.count()} 份,其中逾期报送 {late_reports.count()} 份;退回 {returned.count()} 份;"
         f"签发督办单 {notices.count()} 份。")
    para("二、已完成的任务", font="黑体")
    if completed:
        for i, t in enumerate(completed, start=1):
            state = f"{t.closed_on.month}月{t.closed_on.day}日销号" if t.closed_on else "已完成,待核验销号"
            para(f"{i}. {t.number} {t.title}(牵头单位:{_lead_name(t)}),{state}。")
    else:
        para("本月没有完成的任务。")
    para("三、逾期未完成的任务", font="黑体")
    if overdue:
        by_unit: dict[str, list] = {}
        for t in overdue:
            by_unit.setdefault(_lead_name(t), []).append(t)
        for i, (name, items) in enumerate(sorted(by_unit.items()), start=1):
            listed = ";".join(f"{t.number} {t.title}(完成时限 {cn_date(t.deadline)},已采纳进度 {t.percent}%)"
                              for t in items)
            para(f"{i}. {name}:{len(items)} 项——{listed}。")
    else:
        para("截至通报时,没有逾期未完成的任务。")
    late_units = sorted({r.body.name for r in late_reports.select_related("body")})
    if late_units:
        para("本月逾期报送进展的单位:" + "、".join(late_units) + "。")
    returned_units = sorted({r.body.name for r in returned.select_related("body")})
    if returned_units:
        para("本月进展报送被退回的单位:" + "、".join(returned_units) + "。")
    para("四、下一步工作", font="黑体")
    steps = []
    if overdue:
        steps.append("逾期任务的牵头单位要逐项说明原因、明确整改时限,领导小组办公室将跟踪督办,必要时约谈。")
    if due_next:
        listed = ";".join(f"{t.number} {t.title}({_lead_name(t)},{cn_date(t.deadline)})" for t in due_next)
        steps.append(f"{nxt_first.month}月到期的任务共 {len(due_next)} 项:{listed},请牵头单位按时完成并报送佐证材料。")
    if next_rounds:
        steps.append("请按时报送" + "、".join(f"{r.title}进展(截止 {cn_date(r.due)})" for r in next_rounds) + "。")
    if open_notices:
        listed = "、".join(f"{n.number_text}({n.body.name},{cn_date(n.reply_due)}前回复)" for n in open_notices)
        steps.append(f"尚未回复的督办单:{listed}。")
    steps.append("已完成的任务请牵头单位备齐佐证材料,申请核验销号。")
    for i, step in enumerate(steps):
        para(f"({CN_NUMBERS[i] if i < len(CN_NUMBERS) else i + 1}){step}")
    para(f"{county.name}两项改革工作领导小组办公室", align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(cn_date(today), align=WD_ALIGN_PARAGRAPH.RIGHT)
    return doc


def bulletin_response(county, year: int, month: int, user=None) -> HttpResponse:
    return _docx_response(build_bulletin(county, year, month, user), f"督查通报{year}年第{month}期.docx")


def progress_rows(tasks):
    from .models import TONES

    tasks = tasks.prefetch_related("supporting")
    for t in tasks:
        latest = (t.reports.filter(status=ReportStatus.ACCEPTED).order_by("-round__period_start", "-pk")
                  .values_list("text", flat=True).first())
        lead = t.lead.name + (f"(已撤销,由{t.lead.final_successor().name}承接)" if t.lead.successor_id else "")
        yield [t.number, t.get_level_display(), t.get_section_display(), t.title, lead,
               "、".join(b.name for b in t.supporting.all()), t.leader, t.deadline, t.get_status_display(),
               LIGHTS[TONES[t.status]], t.percent, latest or "", t.notices.count(), t.closed_on, t.verifier]

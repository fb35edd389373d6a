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


def build_notice(notice):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
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


def notice_response(notice) -> HttpResponse:
    out = io.BytesIO()
    build_notice(notice).save(out)
    filename = f"{notice.number_text}{notice.body.name}.docx"
    return HttpResponse(out.getvalue(), content_type=DOCX_TYPE,
                        headers={"Content-Disposition": content_disposition_header(True, filename)})


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

"""The work-meeting report as a Word document: the reform paragraph, indicator tables, the collective
economy, township ranking and targets behind schedule, for a place and a year. Charts are rendered as
tables (no plotting library on the server). python-docx is imported here only, so a missing package
breaks this download and nothing else.
"""
from __future__ import annotations

import datetime as dt
import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from . import aggregate, dashboard, services
from .models import Target

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _table(doc, headers, rows):
    from docx.shared import Pt

    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = "" if text is None else str(text)
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)
    return table


def build_document(scope, year: str, user):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    geo = aggregate.Geography.on(scope)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(11)
    title = doc.add_heading(f"{scope.name}乡村两项改革“后半篇”工作推进情况", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(f"(数据截至 {year} 年,{dt.date.today():%Y年%m月%d日}生成;区划口径为当前区划,"
                      "被撤并单位的数据计入承接单位,前后年度可比)").alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading("一、改革基本情况", level=1)
    reform = dashboard.reform(scope)
    if reform:
        doc.add_paragraph(reform["text"])
        _table(doc, ["类别", f"改革前({reform['from']})", f"改革后({reform['to']})", "增减", "增减幅度"],
               [(r["label"], r["before"], r["after"], r["change"], "" if r["pct"] is None else f"{r['pct']:.2f}%")
                for r in reform["rows"] if r["before"] or r["after"]])
        doc.add_paragraph(f"数据来源:{reform['sources']['from']};{reform['sources']['to']}。")
    else:
        doc.add_paragraph("区划台账中没有该范围改革前后的数据。")

    doc.add_heading("二、重点指标", level=1)
    kpis = dashboard.kpis(scope, year, geo)
    ys = dashboard.year_range(year)
    _table(doc, ["指标", *[f"{y}年" for y in ys]],
           [(k["element"].label, *[dashboard.fmt(k["element"], v) for v in k["series"]]) for k in kpis])
    elements, rows = dashboard.township_table(scope, year, geo)
    if rows:
        doc.add_paragraph()
        doc.add_paragraph(f"{year}年各{'乡镇' if scope.level < 4 else '村'}重点指标:")
        _table(doc, ["单位", *[e.short_name or e.name for e in elements]], [(r["unit"].name, *r["values"]) for r in rows])

    doc.add_heading("三、村级集体经济", level=1)
    summary = dashboard.collective_summary(user, scope, ys)
    last = summary[-1] if summary else None
    threshold = services.threshold_on(int(year[:4]))
    if last and last["total"]:
        doc.add_paragraph(
            f"{year}年填报集体经济的村 {last['total']} 个,其中空壳村(无经营性收入){last['hollow']} 个、"
            f"薄弱村(经营性收入低于 {threshold:,.0f} 元){last['weak']} 个、一般村 {last['general']} 个;"
            f"经营性收入合计 {last['income']:,.2f} 万元。")
    _table(doc, ["年度", "填报村数", "空壳村", "薄弱村", "一般村", "经营性收入(万元)"],
           [(r["year"], r["total"], r["hollow"], r["weak"], r["general"], f"{r['income']:,.2f}") for r in summary])
    hollow = [r for r in dashboard.build_hollow(user, scope, int(year[:4]))]
    if hollow:
        doc.add_paragraph("空壳村名单:" + "、".join(f"{r.village.parent.name if r.village.parent else ''}{r.village.name}" for r in hollow) + "。")

    doc.add_heading("四、目标考核", level=1)
    progresses = services.assess(Target.objects.visible_to(user).filter(unit__path__startswith=scope.path), geo)
    ranking = services.township_ranking(progresses)
    if ranking:
        _table(doc, ["名次", "乡镇", "目标数", "已完成", "滞后/逾期", "平均完成进度"],
               [(r["rank"], r["township"].name, r["targets"], r["achieved"], r["flagged"], f"{r['score']:.1f}%") for r in ranking])
    flagged = [p for p in progresses if p.flagged]
    doc.add_paragraph()
    doc.add_paragraph(f"共 {len(progresses)} 项考核目标,滞后或逾期 {len(flagged)} 项" + (":" if flagged else "。"))
    if flagged:
        _table(doc, ["单位", "指标", "目标", "当前值", "完成进度", "时间进度", "完成时限", "责任单位", "状态"],
               [(p.target.unit.name, p.target.element.name, f"{p.target.get_comparison_display()}{p.target.value:g}",
                 "—" if p.actual is None else f"{p.actual:,.1f}", "—" if p.pct is None else f"{p.pct:.1f}%",
                 f"{p.expected:.0f}%", p.target.due_date, p.target.owner, p.status_label) for p in flagged])
    return doc


def meeting_report(scope, year: str, user) -> HttpResponse:
    doc = build_document(scope, year, user)
    out = io.BytesIO()
    doc.save(out)
    filename = f"{scope.name}{year}年两项改革工作推进情况.docx"
    return HttpResponse(out.getvalue(), content_type=DOCX_TYPE,
                        headers={"Content-Disposition": content_disposition_header(True, filename)})

"""Excel output of the divisions module."""
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from xiangcun.core.excel import safe_cell


def stats_workbook(data: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "改革统计"
    ws.append([safe_cell(f"{data['scope']['name']} 乡村两项改革区划统计({data['from']} → {data['to']})")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["类别", "改革前", "改革后", "增减", "增减幅(%)"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for r in data["rows"]:
        ws.append([r["label"], r["before"], r["after"], r["change"], r["pct"]])
    ws.append([])
    ws.append([safe_cell(data["text"])])
    ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True)
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=5)
    ws.row_dimensions[ws.max_row].height = 60
    sources = data.get("sources") or {}
    if sources:
        ws.append([safe_cell(f"数据来源:改革前 {sources.get('from')};改革后 {sources.get('to')}")])
    ws.column_dimensions["A"].width = 22
    for col in "BCDE":
        ws.column_dimensions[col].width = 12
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


PROPOSAL_HEADERS = ["序号", "变更类型", "层级", "原单位(代码)", "新单位(代码)", "置信度", "依据", "状态"]


def proposal_rows(run) -> list[list]:
    """One row per proposal of a reconciliation run, as a reviewer reads it."""
    return [[i, p.get_type_display(), p.get_level_display(), p.side_text("predecessors") or "—",
             p.side_text("successors") or "—", f"{p.confidence:.0%}", p.evidence, p.get_status_display()]
            for i, p in enumerate(run.proposals.all(), 1)]


def proposals_workbook(run) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "变更建议"
    ws.append([safe_cell(f"区划比对 {run}:变更建议")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(PROPOSAL_HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in proposal_rows(run):
        ws.append([safe_cell(v) if isinstance(v, str) else v for v in row])
    for col, width in zip("ABCDEFGH", (6, 10, 8, 40, 40, 8, 60, 8)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

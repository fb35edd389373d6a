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

"""Villager groups (村民小组): hand entry and Excel import per village.

Columns: 村民小组名称, 所属村代码 (12 digits), 户数, 人口. Every row is checked first and every
error reported (row, column, value, reason); nothing is written unless all rows pass; a group that
already exists in its village (same name) is updated, so re-importing the same file changes nothing.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from . import services
from .models import Division, Kind, Level

COLUMNS = ["村民小组名称", "所属村代码", "户数", "人口"]
MAX_BYTES = 10 * 1024 * 1024


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def message(self) -> str:
        return f"导入完成:新增 {self.created} 个,更新 {self.updated} 个,未变 {self.unchanged} 个村民小组"


def group_template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "村民小组"
    ws.append(COLUMNS)
    notes = ["必填,例如 一组", "必填,12 位统计用区划代码", "选填,非负整数", "选填,非负整数"]
    for cell, note in zip(ws[1], notes):
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.comment = Comment(note, "xiangcun")
    ws.append(["一组", "513201100200", 45, 168])
    for col, width in zip("ABCD", (18, 18, 10, 10)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _clean_int(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit():
        raise ValueError("应为非负整数")
    return int(text)


def _clean_code(value):
    text = str(value if value is not None else "").strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit():
        raise ValueError("应为 12 位数字代码")
    if len(text) < 12:
        text = text.zfill(12)  # Excel drops leading zeros of codes stored as numbers
    if len(text) != 12:
        raise ValueError("应为 12 位数字代码")
    return text


def import_groups(upload, scope, when: dt.date | None = None) -> ImportResult:
    """Validate every row of an uploaded workbook, then write all of it or nothing."""
    result = ImportResult()

    def err(row, col, value, reason):
        result.errors.append({"row": row, "column": col, "value": "" if value is None else str(value), "reason": reason})

    if getattr(upload, "size", 0) > MAX_BYTES:
        err(0, "", upload.name, "文件超过 10 MB")
        return result
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception:
        err(0, "", getattr(upload, "name", ""), "不是有效的 Excel(.xlsx)文件")
        return result
    ws = next((s for s in wb.worksheets if s.sheet_state == "visible"), wb.worksheets[0])
    rows = list(ws.iter_rows(values_only=True))
    if not rows or [str(c or "").strip() for c in rows[0][:4]] != COLUMNS:
        err(1, "", "", f"第 1 行表头应为:{'、'.join(COLUMNS)}")
        return result
    villages = {d.code: d for d in scope.filter(level=Level.VILLAGE, valid_to__isnull=True).exclude(code="")}
    clean = []
    seen = {}
    for i, row in enumerate(rows[1:], start=2):
        row = list(row[:4]) + [None] * (4 - len(row[:4]))
        if all(c is None or str(c).strip() == "" for c in row):
            continue
        name, code, households, population = row
        name = str(name or "").strip()
        ok = True
        if not name:
            err(i, COLUMNS[0], name, "不能为空")
            ok = False
        try:
            code = _clean_code(code)
            if code not in villages:
                err(i, COLUMNS[1], row[1], "不是您管辖范围内现有的村(社区)代码")
                ok = False
        except ValueError as exc:
            err(i, COLUMNS[1], row[1], str(exc))
            ok = False
        values = []
        for col, value in ((COLUMNS[2], households), (COLUMNS[3], population)):
            try:
                values.append(_clean_int(value))
            except ValueError as exc:
                err(i, col, value, str(exc))
                ok = False
        if ok:
            key = (code, name)
            if key in seen:
                err(i, COLUMNS[0], name, f"与第 {seen[key]} 行重复")
                continue
            seen[key] = i
            clean.append((villages[code], name, *values))
    if result.errors:
        return result
    with transaction.atomic():
        for village, name, households, population in clean:
            outcome = save_group(village, name, households, population, when)
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def save_group(village: Division, name: str, households, population, when=None) -> str:
    """Create or update one villager group of a village; returns 'created', 'updated' or 'unchanged'."""
    if village.level != Level.VILLAGE or village.valid_to is not None:
        raise services.DivisionError(f"{village.name}不是现有的村级单位")
    existing = Division.objects.filter(parent=village, name=name, valid_to__isnull=True).first()
    if existing is None:
        services.create_unit(name, Kind.VILLAGER_GROUP, village, when or village.valid_from,
                             households=households, population=population)
        return "created"
    if (existing.households, existing.population) == (households, population):
        return "unchanged"
    existing.households, existing.population = households, population
    existing.save(update_fields=["households", "population"])
    return "updated"

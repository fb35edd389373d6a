"""The Excel import/export framework every ledger uses.

A module declares its columns once, in an `Importer` subclass (see divisions/imports.py):

    class GroupImporter(Importer):
        title = "村民小组"
        columns = (
            Column("村民小组名称", "name", required=True),
            Column("所属村代码", "village", required=True, kind="unit", unit_label="村(社区)",
                   unit_filter={"level": 5}),
            Column("户数", "households", kind="int", min_value=0),
        )
        key = ("village", "name")            # the natural key: a repeat within one file is an error

        def save_row(self, values):          # natural-key upsert: "created", "updated" or "unchanged"
            ...

and gets `template()` (an .xlsx to fill in), `parse(upload)` (every row checked, every error collected,
nothing written), `error_workbook()` (the uploaded sheet with the bad cells marked) and
`import_rows()` (one atomic write). `export_response()` renders any row iterator to .xlsx or CSV.

Parsing copes with what real sheets contain: a title row above the header, merged header cells,
hidden sheets, blank rows, numbers stored as text and text stored as numbers, codes that lost their
leading zeros, full-width digits and spaces, dates as Excel serials or as 2021年3月5日.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import audit
from .validators import as_text, halfwidth, parse_date

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 10 * 1024 * 1024
KINDS = ("text", "int", "decimal", "date", "bool", "choice", "code", "unit")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TRUE_WORDS = {"是", "有", "对", "√", "Y", "YES", "TRUE", "T", "1"}
FALSE_WORDS = {"否", "无", "错", "×", "N", "NO", "FALSE", "F", "0"}
EXCEL_ERRORS = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"}
STREAM_ABOVE = 4 * 1024 * 1024  # .xlsx exports bigger than this stream from disk
TEMPLATE_ROWS = 1000  # rows of the template that carry the dropdowns and formats
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")


def safe_cell(value):
    """Neutralise text that a spreadsheet would run as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# --- declarations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a ledger sheet: its Chinese header, the field it fills, and how it is checked.

    kind: text | int | decimal | date | bool | choice | code | unit
      - choice: `choices` are (value, label) pairs; the sheet shows labels, either is accepted.
      - code: digits only; a shorter number is padded with zeros to `width` (Excel drops them).
      - unit: a division looked up among the importer's units, by 12-digit `code` or by `name`;
        by name, `within` names the column holding the parent unit the name must be under.
    `validator` (e.g. validators.id_number) gets the value after the kind's cleaning and returns
    the value to keep or raises ValidationError.
    """

    header: str
    field: str
    required: bool = False
    kind: str = "text"
    choices: Sequence[tuple[Any, str]] = ()
    validator: Callable | None = None
    help: str = ""
    width: int | None = None          # code: digits; text: the longest allowed
    min_value: Any = None
    max_value: Any = None
    lookup: str = "code"              # unit: "code" or "name"
    within: str | None = None         # unit by name: field of the parent unit's column
    unit_label: str = "单位"
    unit_filter: dict = field(default_factory=dict)
    aliases: Sequence[str] = ()       # other headers people use for this column

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.header}: unknown kind {self.kind!r}")

    def note(self) -> str:
        """What a person filling the column must know, in one line (template comment and 填写说明)."""
        parts = ["必填" if self.required else "选填"]
        parts.append(self.format_text())
        if self.help:
            parts.append(self.help)
        return ";".join(parts)

    def format_text(self) -> str:
        k = self.kind
        if k == "int" or k == "decimal":
            text = "整数" if k == "int" else "数字"
            if self.min_value is not None:
                text += f",不小于 {self.min_value}"
            if self.max_value is not None:
                text += f",不大于 {self.max_value}"
            return text
        if k == "date":
            return "日期,如 2021-03-05 或 2021年3月5日"
        if k == "bool":
            return "填“是”或“否”"
        if k == "choice":
            return "从下拉列表选择:" + "、".join(label for _, label in self.choices)
        if k == "code":
            return f"{self.width} 位数字" if self.width else "数字代码"
        if k == "unit" and self.lookup == "code":
            return f"{self.unit_label}的 {self.width or 12} 位统计用区划代码"
        if k == "unit":
            return f"{self.unit_label}名称" + (f",须属于同一行所填的上级单位" if self.within else "")
        return f"文字,最多 {self.width} 字" if self.width else "文字"


@dataclass(frozen=True)
class Error:
    """One problem found in an upload. row 0 means the file as a whole; col is the sheet column (1-based)."""

    row: int
    column: str
    value: str
    reason: str
    col: int | None = None

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass
class Row:
    line: int        # the row number in the sheet, as Excel shows it
    values: dict     # field -> cleaned value


@dataclass
class ParseResult:
    rows: list[Row] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)
    sheet: str = ""
    header_row: int = 0
    columns: list[Column] = field(default_factory=list)  # the declared columns found in the sheet

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def refused(self) -> bool:
        """The file itself was refused (not a spreadsheet, too big, no header): nothing to mark."""
        return any(e.row == 0 for e in self.errors)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[Error] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)  # per row, in order

    def message(self, what: str) -> str:
        return f"导入完成:新增 {self.created} 个,更新 {self.updated} 个,未变 {self.unchanged} 个{what}"


class RowError(Exception):
    """Raised by a module's `clean_row` or `save_row` for a row it cannot accept."""

    def __init__(self, reason: str, field: str | None = None):
        super().__init__(reason)
        self.reason, self.field = reason, field


class Refused(Exception):
    """The upload is not something we read at all."""


class _Rollback(Exception):
    pass


# --- reading an upload ---------------------------------------------------------------------------


def read_upload(upload, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of an uploaded file (UploadedFile, file object, path or bytes), or Refused."""
    if isinstance(upload, (bytes, bytearray)):
        data = bytes(upload)
    elif hasattr(upload, "read"):
        size = getattr(upload, "size", None)
        if size is not None and size > max_bytes:
            raise Refused(_too_big(size, max_bytes))
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(max_bytes + 1)
    else:
        with open(upload, "rb") as fh:
            data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Refused(_too_big(len(data), max_bytes))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise Refused("这是旧版 Excel(.xls)文件,请在 Excel 中“另存为”Excel 工作簿(.xlsx)后再上传")
    if data[:4] != b"PK\x03\x04":
        raise Refused("上传的文件不是 Excel 工作簿(.xlsx),请使用下载的模板填写后上传")
    return data


def _too_big(size: int, limit: int) -> str:
    return f"文件大小 {size / 1048576:.1f} MB,超过 {limit / 1048576:.0f} MB 的上限,请拆分成几个文件分批导入"


def _normal_header(text) -> str:
    """A header as compared: no spaces or line breaks, no required-marks (*, 必填), half-width."""
    text = re.sub(r"\s", "", halfwidth(str(text or "")))
    text = re.sub(r"^\*|\*$|\(必填\)$|\(选填\)$", "", text)
    return text


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def display(value) -> str:
    """A raw cell value as a person would read it in an error list."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d" if value.time() == dt.time() else "%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- the importer ---------------------------------------------------------------------------------


class Importer:
    """Base of a module's Excel import; subclasses set `title`, `columns`, `key` and `save_row`."""

    title: str = "数据"
    columns: Sequence[Column] = ()
    key: Sequence[str] = ()
    max_bytes: int = MAX_BYTES
    max_rows: int = 100_000
    header_search_rows: int = 20

    def __init__(self, scope=None):
        self.scope = scope  # the units (a Division queryset) that unit columns may resolve to
        self._unit_maps: dict[str, dict] = {}

    # hooks for modules

    def clean_row(self, values: dict) -> dict:
        """Cross-column checks of one row after every cell passed; raise RowError to reject it."""
        return values

    def save_row(self, values: dict) -> str:
        """Write one row (natural-key upsert); return "created", "updated" or "unchanged"."""
        raise NotImplementedError

    def unit_queryset(self, column: Column):
        return self.scope.filter(valid_to__isnull=True, **column.unit_filter)

    def display_value(self, column: Column, value) -> str:
        """A cleaned value as the preview shows it."""
        if value is None:
            return ""
        if column.kind == "unit":
            return f"{value.name}({value.code})" if value.code else value.name
        if column.kind == "choice":
            return dict(column.choices).get(value, str(value))
        if column.kind == "bool":
            return "是" if value else "否"
        return display(value)

    # template

    def template(self) -> bytes:
        """An empty sheet to fill in: bold headers with notes, dropdowns, text-formatted code columns,
        and a 填写说明 sheet."""
        wb = Workbook()
        ws = wb.active
        ws.title = self.title[:31]
        ws.append([c.header for c in self.columns])
        ws.freeze_panes = "A2"
        lists = None
        for i, column in enumerate(self.columns, start=1):
            letter = get_column_letter(i)
            cell = ws.cell(1, i)
            cell.font = Font(bold=True, color="C00000" if column.required else None)
            cell.fill = HEADER_FILL
            cell.comment = Comment(column.note(), "填写说明", width=260, height=90)
            ws.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
            cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
            if column.kind == "choice" or column.kind == "bool":
                labels = [label for _, label in column.choices] if column.kind == "choice" else ["是", "否"]
                if sum(len(x) + 1 for x in labels) < 250:
                    formula = '"' + ",".join(labels) + '"'
                else:  # long lists live on a hidden sheet
                    lists = lists or wb.create_sheet("选项")
                    lists.sheet_state = "hidden"
                    for r, label in enumerate(labels, start=1):
                        lists.cell(r, i, label)
                    formula = f"选项!${letter}$1:${letter}${len(labels)}"
                dv = DataValidation(type="list", formula1=formula, allow_blank=not column.required,
                                    showErrorMessage=True, errorTitle="请从列表中选择", error=column.note()[:250])
            elif column.kind == "int" and column.min_value is not None:
                dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1=str(column.min_value),
                                    showErrorMessage=True, errorTitle="应为整数", error=column.note()[:250])
            else:
                dv = None
            if dv is not None:
                dv.add(cells)
                ws.add_data_validation(dv)
            if column.kind in ("code", "unit", "text"):
                for row in range(2, TEMPLATE_ROWS + 2):  # typed codes stay text, keeping leading zeros
                    ws.cell(row, i).number_format = "@"
            elif column.kind == "date":
                for row in range(2, TEMPLATE_ROWS + 2):
                    ws.cell(row, i).number_format = "yyyy-mm-dd"
        notes = wb.create_sheet("填写说明")
        notes.append([f"{self.title}导入说明"])
        notes["A1"].font = Font(bold=True, size=13)
        notes.append([f"1. 请在“{ws.title}”工作表第 2 行起逐行填写,不要修改第 1 行的表头;多余的列会被忽略。"])
        notes.append(["2. 上传后系统先检查全部行,列出所有错误;全部正确才会一次性写入,重复导入同一文件不会产生重复数据。"])
        notes.append(["3. 代码列请保持“文本”格式,以免 Excel 去掉开头的 0 或显示成科学计数法。"])
        notes.append([])
        notes.append(["列名", "是否必填", "填写要求", "说明"])
        for cell in notes[notes.max_row]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
        for c in self.columns:
            notes.append([c.header, "必填" if c.required else "选填", c.format_text(), c.help])
        for letter, width in zip("ABCD", (18, 10, 46, 40)):
            notes.column_dimensions[letter].width = width
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    # parsing

    def parse(self, upload) -> ParseResult:
        """Check every row of an upload; return the cleaned rows and every error. Writes nothing."""
        result = ParseResult()
        try:
            data = read_upload(upload, self.max_bytes)
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Refused as exc:
            result.errors.append(Error(0, "", getattr(upload, "name", ""), str(exc)))
            return result
        except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
            result.errors.append(Error(0, "", getattr(upload, "name", ""),
                                       "文件已损坏或不是 Excel 工作簿(.xlsx),请在 Excel 中另存为 .xlsx 后再上传"))
            return result
        try:
            self._parse_workbook(wb, result)
        finally:
            wb.close()
        return result

    def _parse_workbook(self, wb, result: ParseResult) -> None:
        best_missing = None
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            ws.reset_dimensions()  # some writers record a wrong sheet size; read what is there
            rows = ws.iter_rows(values_only=True)
            head = [row for _, row in zip(range(self.header_search_rows), rows)]
            found = self._find_header(head)
            if found is None:
                continue
            header_row, positions, missing = found
            if missing:
                if best_missing is None or len(missing) < len(best_missing[1]):
                    best_missing = (ws.title, missing)
                continue
            result.sheet, result.header_row = ws.title, header_row
            result.columns = [c for c in self.columns if c.field in positions]
            body = head[header_row:]
            self._parse_rows(_chain(body, rows), header_row + 1, positions, result)
            return
        wanted = "、".join(c.header for c in self.columns if c.required)
        if best_missing:
            reason = f"工作表“{best_missing[0]}”缺少必填列:{'、'.join(best_missing[1])}"
        else:
            reason = f"在前 {self.header_search_rows} 行中没有找到表头,表头应包含:{wanted}"
        result.errors.append(Error(0, "", "", reason + "。请使用下载的模板。"))

    def _find_header(self, head):
        """(row number, {field: column index}, missing required headers) of the best header row."""
        names = {}
        for column in self.columns:
            for text in (column.header, *column.aliases):
                names[_normal_header(text)] = column
        best = None
        for r, row in enumerate(head):
            positions = {}
            width = max(len(head[k]) for k in range(max(0, r - 2), r + 1))  # rows end at their last value
            for i in range(width):
                label = row[i] if i < len(row) else None
                # a header cell left empty by a vertical merge takes its text from the cell above
                for above in (1, 2):
                    if not _blank(label) or r - above < 0:
                        break
                    upper = head[r - above]
                    label = upper[i] if i < len(upper) else None
                column = names.get(_normal_header(label)) if not _blank(label) else None
                if column is not None and column.field not in positions:
                    positions[column.field] = i
            if not positions:
                continue
            missing = [c.header for c in self.columns if c.required and c.field not in positions]
            score = (-len(missing), len(positions))
            if best is None or score > best[0]:
                best = (score, r + 1, positions, missing)
        return None if best is None else best[1:]

    def _parse_rows(self, rows, first_line: int, positions: dict, result: ParseResult) -> None:
        columns = [c for c in self.columns if c.field in positions]
        ordered = [c for c in columns if c.kind != "unit"] + [c for c in columns if c.kind == "unit"]
        seen_keys: dict[tuple, int] = {}
        count = 0
        for line, row in enumerate(rows, start=first_line):
            raw = {c.field: (row[positions[c.field]] if positions[c.field] < len(row) else None) for c in columns}
            if all(_blank(v) for v in raw.values()):
                continue  # blank rows, including the hundreds Excel keeps after the data
            count += 1
            if count > self.max_rows:
                result.errors.append(Error(0, "", "", f"超过 {self.max_rows} 行的上限,请拆分成几个文件分批导入"))
                return
            values = {c.field: None for c in self.columns}
            errors = []
            for column in ordered:
                if column.within and any(e.column == self._header_of(column.within) for e in errors):
                    continue  # its parent unit is already reported wrong: nothing to look the name up under
                try:
                    values[column.field] = self.clean_cell(column, raw[column.field], values)
                except ValidationError as exc:
                    errors.append(Error(line, column.header, display(raw[column.field]), exc.messages[0],
                                        positions[column.field] + 1))
            if not errors:
                try:
                    values = self.clean_row(values)
                    key = tuple(values[f] for f in self.key)
                    if self.key and key in seen_keys:
                        raise RowError(f"与第 {seen_keys[key]} 行重复", self.key[-1])
                    seen_keys[key] = line
                except RowError as exc:
                    column = next((c for c in columns if c.field == exc.field), None)
                    if column is None:
                        errors.append(Error(line, "", "", exc.reason))
                    else:
                        errors.append(Error(line, column.header, display(raw[column.field]), exc.reason,
                                            positions[column.field] + 1))
            if errors:
                result.errors.extend(sorted(errors, key=lambda e: e.col or 0))
            else:
                result.rows.append(Row(line, values))

    def _header_of(self, field_name: str) -> str:
        return next((c.header for c in self.columns if c.field == field_name), "")

    def clean_cell(self, column: Column, value, values: dict):
        """One cell, cleaned by its column's kind and validator; ValidationError with a Chinese reason."""
        if isinstance(value, str):
            value = value.strip()
            if value.upper() in EXCEL_ERRORS:
                raise ValidationError(f"单元格是公式错误值 {value},请填写实际内容")
        if _blank(value):
            if column.required:
                raise ValidationError("不能为空")
            return None
        value = getattr(self, f"_clean_{column.kind}")(column, value, values)
        if column.validator is not None and column.kind != "unit":
            value = column.validator(value)
        return value

    def _clean_text(self, column, value, values):
        if isinstance(value, (dt.date, int, float)):
            text = display(value) if isinstance(value, dt.date) else as_text(value)  # 3.0 → "3"
        else:
            text = str(value).strip()
        if column.width and len(text) > column.width:
            raise ValidationError(f"不能超过 {column.width} 个字")
        return text

    def _number(self, column, value, parse, kind_text):
        if isinstance(value, bool):
            raise ValidationError(f"应为{kind_text}")
        text = as_text(value).replace(",", "").replace(" ", "")
        try:
            number = parse(text)
        except (ValueError, InvalidOperation):
            raise ValidationError(f"应为{kind_text}") from None
        if column.min_value is not None and number < column.min_value:
            raise ValidationError(f"应为{kind_text}" if column.min_value == 0 else f"不能小于 {column.min_value}")
        if column.max_value is not None and number > column.max_value:
            raise ValidationError(f"不能大于 {column.max_value}")
        return number

    def _clean_int(self, column, value, values):
        def parse(text):
            number = Decimal(text)
            if number != number.to_integral_value():
                raise ValueError(text)
            return int(number)

        return self._number(column, value, parse, "非负整数" if column.min_value == 0 else "整数")

    def _clean_decimal(self, column, value, values):
        def parse(text):
            number = Decimal(text)
            if not number.is_finite():
                raise ValueError(text)
            return number

        return self._number(column, value, parse, "非负数" if column.min_value == 0 else "数字")

    def _clean_date(self, column, value, values):
        return parse_date(value)

    def _clean_bool(self, column, value, values):
        text = as_text(value).upper()
        if isinstance(value, bool):
            return value
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValidationError("应填“是”或“否”")

    def _clean_choice(self, column, value, values):
        text = as_text(value)
        for choice, label in column.choices:
            if text == label or text.lower() == str(choice).lower():
                return choice
        raise ValidationError("应为以下之一:" + "、".join(label for _, label in column.choices))

    def _clean_code(self, column, value, values):
        text = re.sub(r"\s", "", as_text(value))
        if re.fullmatch(r"\d(\.\d+)?E\+\d+", text, re.IGNORECASE):
            raise ValidationError("代码被 Excel 显示成了科学计数法,请把该列设为“文本”后重新填写")
        if not text.isdigit():
            raise ValidationError(f"应为 {column.width} 位数字代码" if column.width else "应为数字代码")
        if column.width:
            if len(text) > column.width:
                raise ValidationError(f"应为 {column.width} 位数字代码")
            text = text.zfill(column.width)  # a code typed as a number lost its leading zeros
        return text

    def _clean_unit(self, column, value, values):
        maps = self._units(column)
        if column.lookup == "code":
            code = self._clean_code(Column(column.header, column.field, width=column.width or 12), value, values)
            if column.validator is not None:
                code = column.validator(code)
            unit = maps["code"].get(code)
            if unit is None:
                raise ValidationError(f"不是您管辖范围内现有的{column.unit_label}代码")
            return unit
        name = str(value).strip()
        if column.within:
            parent = values.get(column.within)
            if parent is None:
                raise ValidationError("上级单位未填或有误,无法按名称查找")
            found = maps["parent_name"].get((parent.pk, name), [])
            where = f"{parent.name}下"
        else:
            found = maps["name"].get(name, [])
            where = "您管辖范围内"
        if not found:
            raise ValidationError(f"{where}没有名为“{name}”的{column.unit_label}")
        if len(found) > 1:
            raise ValidationError(f"{where}有 {len(found)} 个名为“{name}”的{column.unit_label},请改填代码")
        return found[0]

    def _units(self, column: Column) -> dict:
        """Every unit a column may resolve to, indexed once per import."""
        maps = self._unit_maps.get(column.field)
        if maps is None:
            maps = {"code": {}, "name": defaultdict(list), "parent_name": defaultdict(list)}
            for unit in self.unit_queryset(column):
                if unit.code:
                    maps["code"][unit.code] = unit
                maps["name"][unit.name].append(unit)
                maps["parent_name"][(unit.parent_id, unit.name)].append(unit)
            self._unit_maps[column.field] = maps
        return maps

    # writing

    def import_rows(self, rows: Sequence[Row], dry_run: bool = False) -> Counts:
        return import_rows(rows, self.save_row, dry_run=dry_run, columns=self.columns)

    def error_workbook(self, upload, errors: Sequence[Error], sheet: str = "") -> bytes:
        return error_workbook(upload, errors, sheet, self.max_bytes)


def _chain(first, rest):
    yield from first
    yield from rest


def import_rows(rows: Sequence[Row], save_row: Callable[[dict], str], dry_run: bool = False,
                columns: Sequence[Column] = ()) -> Counts:
    """Write every row in one transaction with `save_row` (which returns created/updated/unchanged).

    A RowError or ValidationError from any row rolls the whole write back and is reported with its
    line; so does `dry_run`, which tells the preview what an import would do.
    """
    counts = Counts()
    headers = {c.field: c.header for c in columns}
    try:
        with transaction.atomic(), audit.batch():
            for row in rows:
                try:
                    outcome = save_row(row.values)
                except (RowError, ValidationError) as exc:
                    reason = exc.reason if isinstance(exc, RowError) else exc.messages[0]
                    field_ = getattr(exc, "field", None)
                    value = row.values.get(field_) if field_ else ""
                    counts.errors.append(Error(row.line, headers.get(field_, ""), display(value), reason))
                    counts.outcomes.append("error")
                    continue
                setattr(counts, outcome, getattr(counts, outcome) + 1)
                counts.outcomes.append(outcome)
            if counts.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return counts


def error_workbook(upload, errors: Sequence[Error], sheet: str = "", max_bytes: int = MAX_BYTES) -> bytes:
    """The uploaded workbook with every bad cell filled red and commented, plus an 错误说明 sheet."""
    wb = load_workbook(io.BytesIO(read_upload(upload, max_bytes)))
    ws = wb[sheet] if sheet in wb.sheetnames else wb.worksheets[0]
    reasons: dict[tuple[int, int], list[str]] = defaultdict(list)
    for e in errors:
        if e.row > 0:
            reasons[(e.row, e.col or 1)].append(e.reason if e.col else f"本行:{e.reason}")
    for (r, c), texts in reasons.items():
        cell = ws.cell(r, c)
        if isinstance(cell, MergedCell):  # only the top-left cell of a merged range takes styles
            continue
        cell.fill = ERROR_FILL
        cell.comment = Comment("\n".join(texts), "导入检查", width=240, height=60 + 18 * len(texts))
    if "错误说明" in wb.sheetnames:
        del wb["错误说明"]
    notes = wb.create_sheet("错误说明")
    notes.append(["行", "列", "值", "原因"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for e in errors:
        notes.append([e.row or "", e.column, e.value, e.reason])
        for cell in notes[notes.max_row]:
            protect(cell)
    for letter, width in zip("ABCD", (8, 16, 24, 60)):
        notes.column_dimensions[letter].width = width
    wb.active = wb.worksheets.index(ws)
    for other in wb.worksheets:
        other.sheet_view.tabSelected = other is ws
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- export ----------------------------------------------------------------------------------------


def _headers(columns) -> list[str]:
    return [c.header if isinstance(c, Column) else str(c) for c in columns]


def _plain(value):
    """A value as it should land in a spreadsheet cell: local naive datetimes, 是/否 for booleans."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def protect(cell):
    """Text in an .xlsx cell is stored as text, never as a formula, and shown exactly as typed."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True  # and it stays text if someone edits it in Excel
    return cell


def xlsx_cell(ws, value):
    """A write-only cell for an export, protected against formula injection."""
    value = _plain(value)
    cell = protect(WriteOnlyCell(ws, value=value))
    if isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def csv_value(value) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return safe_cell(value) if isinstance(value, str) else str(value)


class _Echo:
    def write(self, value):
        return value


def csv_stream(headers: Sequence[str], rows: Iterable[Sequence]):
    """CSV lines, starting with a UTF-8 BOM so that Excel reads the Chinese correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([csv_value(h) for h in headers])
    for row in rows:
        yield writer.writerow([csv_value(v) for v in row])


def export_response(rows: Iterable[Sequence], columns: Sequence, filename: str, fmt: str = "xlsx"):
    """A download of `rows` (an iterator of value sequences, in `columns` order) as .xlsx or CSV.

    CSV is streamed as it is produced; .xlsx is written row by row to a temporary file (openpyxl's
    write-only mode, constant memory), then sent whole if small or streamed from the file if large.
    """
    headers = _headers(columns)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(headers, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
        return response
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(re.sub(r"[\[\]:*?/\\]", "", filename)[:31] or "Sheet1")
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, len(header) * 2 + 4)
    bold = Font(bold=True)
    head = []
    for header in headers:
        cell = xlsx_cell(ws, header)
        cell.font, cell.fill = bold, HEADER_FILL
        head.append(cell)
    ws.append(head)
    for row in rows:
        ws.append([xlsx_cell(ws, v) for v in row])
    out = tempfile.TemporaryFile()
    wb.save(out)
    size = out.tell()
    out.seek(0)
    if size > STREAM_ABOVE:
        return FileResponse(out, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE)
    with out:
        response = HttpResponse(out.read(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.xlsx")
    return response


__all__ = [
    "Column", "Counts", "Error", "Importer", "ParseResult", "Refused", "Row", "RowError", "XLSX_TYPE",
    "csv_stream", "error_workbook", "export_response", "import_rows", "read_upload", "safe_cell",
]

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

An importer that sets `model` and `find_existing(values)` gets updates right: a blank cell keeps the
stored value, `(清空)` clears it, and each parsed Row carries its outcome and changes (old → new), worked
out by reading only. Numbers, text and dates are bounded by the model field they are stored in. The
work per upload is bounded before parsing (zip directory sizes, declared dimension, row limit
settings.IMPORT_MAX_ROWS); rows are streamed; a formula without a computed value is an error.

Parsing copes with what real sheets contain: a title row above the header, merged header cells,
hidden sheets, blank rows, numbers stored as text and text stored as numbers, codes that lost their
leading zeros, full-width digits and spaces, dates as Excel serials or as 2021年3月5日.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import math
import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.comments import Comment
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser
from openpyxl.worksheet.datavalidation import DataValidation

from . import audit
from .validators import DATE_MIN, INTEGER_RANGES, NumberBounds, as_text, date_in_range, field_bounds, halfwidth, parse_date, plain_number

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 10 * 1024 * 1024
KINDS = ("text", "int", "decimal", "date", "bool", "choice", "code", "unit")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TRUE_WORDS = {"是", "有", "对", "√", "Y", "YES", "TRUE", "T", "1"}
FALSE_WORDS = {"否", "无", "错", "×", "N", "NO", "FALSE", "F", "0"}
EXCEL_ERRORS = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"}
STREAM_ABOVE = 4 * 1024 * 1024  # .xlsx exports bigger than this stream from disk
TEMPLATE_ROWS = 1000  # rows of the template that carry the dropdowns and formats
CLEAR_MARK = "(清空)"  # a cell holding this clears the field on update; a blank cell leaves it unchanged
# Work per upload is bounded before anything is parsed (see check_archive and Importer.parse).
MAX_UNCOMPRESSED = 160 * 1024 * 1024     # all parts of the .xlsx together, unpacked
MAX_SHEET_PART = 64 * 1024 * 1024        # one worksheet's XML, unpacked
MAX_OTHER_PART = 16 * 1024 * 1024        # shared strings, styles and every other part, unpacked
MAX_PARTS = 1000
LOOKUP_BATCH = 500  # rows whose stored records are looked up together
BLANK_RUN = 1000  # this many blank rows in a row end the data: the rest of the sheet is not read
DEFAULT_DECIMAL = NumberBounds(Decimal(-10) ** 15, Decimal(10) ** 15, 6)  # a decimal column with no model field
DEFAULT_INT = NumberBounds(*INTEGER_RANGES["IntegerField"], 0, integer=True)
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
    places: int | None = None         # decimal: the most decimals kept (from the model's decimal_places)

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
            bounds = NumberBounds(self.min_value, self.max_value, self.places, integer=k == "int").text()
            return text + ("," + bounds if bounds else "")
        if k == "date":
            low = self.min_value or DATE_MIN
            high = f"{self.max_value:%Y-%m-%d}" if self.max_value else "今后 50 年"
            return f"日期,如 2021-03-05 或 2021年3月5日,{low:%Y-%m-%d} 至{high}之间"
        if k == "bool":
            return "填“是”或“否”"
        if k == "choice":
            return "从下拉列表选择:" + "、".join(label for _, label in self.choices)
        if k == "code":
            return f"{self.width} 位数字" if self.width else "数字代码"
        if k == "unit" and self.lookup == "code":
            return f"{self.unit_label}的 {self.width or 12} 位统计用区划代码"
        if k == "unit":
            return f"{self.unit_label}名称" + (",须属于同一行所填的上级单位" if self.within else "")
        return f"文字,最多 {self.width} 字" if self.width else "文字"


@dataclass(frozen=True)
class Error:
    """One problem found in an upload. row 0 means the file as a whole; col is the sheet column (1-based)."""

    row: int
    column: str
    value: str
    reason: str
    col: int | None = None


class RowValues(dict):
    """field -> cleaned value of one row; `provided`: fields the sheet filled in, `cleared`: fields the
    sheet cleared with (清空). A field neither provided nor cleared holds the stored record's value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.provided: set[str] = set()
        self.cleared: set[str] = set()


@dataclass
class Row:
    line: int        # the row number in the sheet, as Excel shows it
    values: dict     # field -> cleaned value
    outcome: str = ""  # what confirming would do: created | updated | unchanged
    changes: list = field(default_factory=list)  # (header, old, new) of an update, as the preview shows them


@dataclass
class ParseResult:
    rows: list[Row] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)
    sheet: str = ""
    header_row: int = 0
    columns: list[Column] = field(default_factory=list)  # the declared columns found in the sheet
    notices: list[str] = field(default_factory=list)     # what a person should know that is no error

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

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


class _NoCachedValue:
    """A formula cell whose file holds no computed value (written by a program, never opened in Excel)."""

    def __str__(self):
        return ""

    def __repr__(self):
        return "NO_CACHED_VALUE"


NO_CACHED_VALUE = _NoCachedValue()
FORMULA_WITHOUT_VALUE = ("该单元格是公式,但文件中没有保存计算结果;请先用 Excel 或 WPS 打开并保存该文件,"
                         "或把公式复制后“选择性粘贴为数值”,再上传")


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser (values only) that tells a formula with no cached value from a blank."""

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if cell["value"] is None and element.find(FORMULA_TAG) is not None:
            # no <v>, or an empty one on a non-text cell (a number is never empty): never calculated.
            # An empty <v/> on a t="str" cell is a formula whose result is the empty string.
            cached = element.findtext(VALUE_TAG)
            if cached is None or (not cached and element.get("t", "n") not in ("str", "s", "inlineStr")):
                cell["value"] = NO_CACHED_VALUE
        return cell


DIMENSION_HEAD = 65536  # the declared <dimension> is looked for in this much of a worksheet's XML
DIMENSION_RE = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)"')
ROW_TAG_RE = re.compile(rb"<(?:\w+:)?row[\s/>]")


def declared_dimension(head: bytes):
    """(min_col, min_row, max_col, max_row) a worksheet's XML declares near its start, or None."""
    found = DIMENSION_RE.search(head)
    if not found:
        return None
    ref = found[1].decode()
    if ":" not in ref:
        ref = f"{ref}:{ref}"
    return range_boundaries(ref)


def estimate_rows(data: bytes) -> int:
    """The most rows a worksheet of an upload (already through check_archive) holds, without parsing any
    cell: its declared dimension, else a count of its <row> elements (streamed, constant memory). It
    decides whether the preview runs in the request or as a background job (core.excel_views)."""
    most = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            name = member.filename
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with archive.open(member) as src:
                chunk = src.read(DIMENSION_HEAD)
                found = declared_dimension(chunk)
                if found:
                    most = max(most, found[3])
                    continue
                rows, tail = 0, b""
                while chunk:
                    block = tail + chunk
                    rows += len(ROW_TAG_RE.findall(block))
                    tail = block[-16:]  # a tag cut in two by the chunk boundary is counted in the next block
                    rows -= len(ROW_TAG_RE.findall(tail))
                    chunk = src.read(1024 * 1024)
                most = max(most, rows)
    return most


class _Sheet(ReadOnlyWorksheet):
    """A read-only worksheet that finds its declared <dimension> in the first 64 KB of its XML.

    openpyxl parses the whole sheet when opening the workbook if the dimension is missing (a crafted
    or program-written file): that would be unbounded work before any limit could be checked."""

    def _get_size(self):
        with self._get_source() as src:
            head = src.read(DIMENSION_HEAD)
        found = declared_dimension(head)
        if found:
            self._min_column, self._min_row, self._max_column, self._max_row = found


class _Reader(ExcelReader):
    """openpyxl's workbook reader (read-only mode only) with worksheets that open in constant time."""

    def read_worksheets(self):
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            ws = _Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)


def open_workbook(data: bytes):
    """A read-only, values-only workbook of upload bytes already checked by check_archive."""
    reader = _Reader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read()
    return reader.wb


def sheet_rows(ws):
    """The rows of a read-only worksheet as value tuples, streamed; a missing row is an empty tuple.

    Unlike openpyxl's iter_rows it ignores the declared dimension (often wrong) and marks formula
    cells that have no computed value with NO_CACHED_VALUE instead of reading them as empty.
    """
    wb = ws.parent
    with ws._get_source() as src:
        parser = _Parser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                         date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        expected = 1
        for idx, cells in parser.parse():
            while expected < idx:  # rows the file leaves out are blank
                expected += 1
                yield ()
            expected = idx + 1
            if not cells:
                yield ()
                continue
            row = [None] * max(c["column"] for c in cells)
            for c in cells:
                row[c["column"] - 1] = c["value"]
            yield tuple(row)


def check_archive(data: bytes) -> None:
    """Refuse (in Chinese) an .xlsx whose parts would unpack to more than we are willing to read:
    a zip bomb, a shared-strings part of hundreds of megabytes. Only the zip's directory is read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Refused("文件已损坏或不是 Excel 工作簿(.xlsx),请在 Excel 中另存为 .xlsx 后再上传") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_PARTS:
            raise Refused(f"文件内部包含 {len(members)} 个部件,不像正常的 Excel 工作簿,请另存为 .xlsx 后再上传")
        total = 0
        for m in members:
            limit = MAX_SHEET_PART if m.filename.startswith("xl/worksheets/") else MAX_OTHER_PART
            if m.file_size > limit:
                what = "共享字符串" if "sharedStrings" in m.filename else ("工作表" if limit == MAX_SHEET_PART else "部件")
                raise Refused(f"文件中的{what}({m.filename})解压后有 {m.file_size / 1048576:.0f} MB,超过 "
                              f"{limit / 1048576:.0f} MB 的上限,不予读取;请删除多余的内容或拆分成几个文件")
            total += m.file_size
        if total > MAX_UNCOMPRESSED:
            raise Refused(f"文件解压后共 {total / 1048576:.0f} MB,超过 {MAX_UNCOMPRESSED / 1048576:.0f} MB 的上限,"
                          "不予读取;请删除多余的内容或拆分成几个文件")


def max_rows_setting() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 20_000))


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


def is_clear_mark(value) -> bool:
    """A cell that asks to clear its field: (清空), in half- or full-width brackets."""
    return isinstance(value, str) and re.sub(r"\s", "", halfwidth(value)) == CLEAR_MARK


def same_value(old, new) -> bool:
    """Whether a stored value and a sheet's value are the same to a person: None and "" alike, numbers
    by value whatever their type (a stored float 102.22 and a typed Decimal 102.22), records by key."""
    if old in (None, "") and new in (None, ""):
        return True
    numbers = (int, float, Decimal)
    if isinstance(old, numbers) and isinstance(new, numbers) and not isinstance(old, bool) and not isinstance(new, bool):
        try:
            return Decimal(str(old)) == Decimal(str(new))
        except InvalidOperation:
            return False
    return old == new


def display(value) -> str:
    """A raw cell value as a person would read it in an error list."""
    if value is None:
        return ""
    if value is NO_CACHED_VALUE:
        return "(公式,无计算结果)"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d" if value.time() == dt.time() else "%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return plain_number(value)  # 1742.00 stored, 1742 shown
    return str(value)


# --- the importer ---------------------------------------------------------------------------------


class Importer:
    """Base of a module's Excel import; subclasses set `title`, `columns`, `key` and `save_row`."""

    title: str = "数据"
    columns: Sequence[Column] = ()
    key: Sequence[str] = ()
    model = None  # the model a row is stored in: its fields bound the columns and updates merge into it
    max_bytes: int = MAX_BYTES
    max_rows: int | None = None  # default: settings.IMPORT_MAX_ROWS (XIANGCUN_IMPORT_MAX_ROWS, 20,000)
    header_search_rows: int = 20

    def __init__(self, scope=None):
        self.scope = scope  # the units (a Division queryset) that unit columns may resolve to
        self._unit_maps: dict[str, dict] = {}
        self._progress = None  # set by parse()
        if self.max_rows is None:
            self.max_rows = max_rows_setting()

    # hooks for modules

    def find_existing(self, values: dict):
        """The stored record this row updates (by its natural key), or None for a new one.

        With a record, every cell the sheet leaves blank keeps the record's value (see
        `record_values`), the preview lists what changes, and (清空) clears a field. Raise RowError
        for a key that may not be updated (someone else's record, a deleted one)."""
        return None

    def record_values(self, record) -> dict:
        """{field: stored value} of a record for this sheet's columns: the model fields the columns name,
        natural-key columns left out."""
        out = {}
        for column in self.columns:
            f = self.stored_field(column) if column.field not in self.key else None
            if f is not None and isinstance(record, f.model):
                out[column.field] = getattr(record, f.name)
        return out

    def changes_of(self, record, current: dict, values: dict) -> list[tuple[str, str, str]]:
        """(column header, old, new) for each field an update changes, as people read them."""
        out = []
        for column in self.columns:
            if column.field in current and not same_value(current[column.field], values.get(column.field)):
                out.append((column.header, self.display_value(column, current[column.field]) or "—",
                            self.display_value(column, values.get(column.field)) or "—"))
        return out

    def stored_field(self, column: Column):
        """The model field a column is stored in (same name on `model`), or None."""
        if self.model is None:
            return None
        try:
            f = self.model._meta.get_field(column.field)
        except FieldDoesNotExist:
            return None
        return f if getattr(f, "concrete", False) and not f.many_to_many else None

    def model_field(self, column: Column):
        """The model field whose bounds apply to a number, text or date column, or None."""
        return None if column.kind in ("unit", "choice", "bool") else self.stored_field(column)

    def bind_columns(self) -> None:
        """Give every column the bounds of the column it is stored in: number ranges and decimals from
        the model field (or the database's integer range), text length from max_length, dates
        1949-01-01 … today + 50 years unless the column says otherwise. Idempotent."""
        bound = []
        for column in self.columns:
            f = self.model_field(column)
            changes = {}
            if column.kind in ("int", "decimal"):
                bounds = field_bounds(f) if f is not None else None
                if bounds is None:
                    bounds = DEFAULT_INT if column.kind == "int" else DEFAULT_DECIMAL
                bounds = bounds.narrowed(column.min_value, column.max_value)
                changes = {"min_value": bounds.low, "max_value": bounds.high,
                           "places": 0 if column.kind == "int" else bounds.places}
            elif column.kind == "text" and f is not None and getattr(f, "max_length", None):
                changes = {"width": min(column.width or f.max_length, f.max_length)}
            bound.append(dataclasses.replace(column, **changes) if changes else column)
        self.columns = tuple(bound)

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
        and a 填写说明 sheet. Built from what it shows (title, row limit, each column's header, kind, note,
        choices …): the same template is built once, then served from memory."""
        self.bind_columns()
        return _template_bytes(str(self.title), int(self.max_rows), tuple(
            TemplateColumn(header=str(c.header), required=bool(c.required), kind=c.kind, note=str(c.note()),
                           format_text=str(c.format_text()), help=str(c.help),
                           labels=tuple(str(label) for _, label in c.choices) if c.kind == "choice" else (),
                           min_value=c.min_value if c.kind == "int" else None)
            for c in self.columns))

    # parsing

    def parse(self, upload, progress: Callable[[int], None] | None = None) -> ParseResult:
        """Check every row of an upload; return the cleaned rows and every error. Writes nothing.
        `progress(rows read)` is called every few hundred rows (a background job's progress bar)."""
        result = ParseResult()
        self._progress = progress
        self.bind_columns()
        try:
            data = read_upload(upload, self.max_bytes)
            check_archive(data)  # sizes from the zip directory: nothing is unpacked yet
            wb = open_workbook(data)
        except Refused as exc:
            result.errors.append(Error(0, "", getattr(upload, "name", ""), str(exc)))
            return result
        except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
            result.errors.append(Error(0, "", getattr(upload, "name", ""),
                                       "文件已损坏或不是 Excel 工作簿(.xlsx),请在 Excel 中另存为 .xlsx 后再上传"))
            return result
        try:
            self._parse_workbook(wb, result)
        except Refused as exc:
            result.rows = []
            result.errors = [Error(0, "", "", str(exc))]
        finally:
            wb.close()
        return result

    def row_cap(self) -> int:
        """The most rows (blank ones included) a sheet may have before it is refused unread."""
        return max(2 * self.max_rows, 50_000)

    def _too_many_rows(self, count: int) -> str:
        return (f"数据超过 {self.max_rows} 行的上限(每次导入最多 {self.max_rows} 行),"
                f"请拆分成几个文件分批导入" + (f";工作表至少有 {count} 行" if count > self.max_rows else ""))

    def _parse_workbook(self, wb, result: ParseResult) -> None:
        best_missing = None
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            declared = ws.max_row or 0  # the <dimension> the file declares; the rows are read as they are
            if declared > self.row_cap():
                raise Refused(f"工作表“{ws.title}”声明有 {declared} 行,超过 {self.row_cap()} 行,不予读取。"
                              f"每次最多导入 {self.max_rows} 行:请删除多余的空行(或拆分文件)后另存再上传")
            rows = sheet_rows(ws)
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
        count = blank_run = 0
        cap = self.row_cap()
        pending = []  # rows whose cells passed, waiting for their stored records (looked up in batches)
        for line, row in enumerate(rows, start=first_line):
            if line > cap:
                raise Refused(f"工作表超过 {cap} 行(含空行),不予读取。" + self._too_many_rows(0))
            raw = {c.field: (row[positions[c.field]] if positions[c.field] < len(row) else None) for c in columns}
            if all(_blank(v) for v in raw.values()):
                blank_run += 1
                if blank_run >= BLANK_RUN:  # the data has ended; the rest is the sheet's formatted blanks
                    result.notices.append(f"第 {line - BLANK_RUN + 1} 行起连续 {BLANK_RUN} 行为空,视为数据结束,"
                                          "其后的内容没有读取;如其后还有数据,请删除中间的空行后重新上传")
                    break
                continue  # blank rows, including the hundreds Excel keeps after the data
            blank_run = 0
            count += 1
            if count > self.max_rows:
                raise Refused(self._too_many_rows(count))
            values = self._parse_row(line, raw, columns, ordered, positions, seen_keys, result)
            if values is not None:
                pending.append((line, raw, values))
                if len(pending) >= LOOKUP_BATCH:
                    self._finish_rows(pending, columns, positions, result)
                    pending = []
            if count % LOOKUP_BATCH == 0 and getattr(self, "_progress", None):
                self._progress(count)
        self._finish_rows(pending, columns, positions, result)
        result.errors.sort(key=lambda e: e.row)  # rows finish in batches; each row's own errors keep their order
        if result.notices and not any(True for _ in zip(range(1), rows)):
            result.notices.clear()  # the blank run reached the end of the sheet: nothing was skipped

    def _parse_row(self, line, raw, columns, ordered, positions, seen_keys, result) -> None:
        values = RowValues({c.field: None for c in self.columns})
        errors = []

        def error(column, reason):
            errors.append(Error(line, column.header, display(raw[column.field]), reason, positions[column.field] + 1))

        for column in ordered:
            if column.within and any(e.column == self._header_of(column.within) for e in errors):
                continue  # its parent unit is already reported wrong: nothing to look the name up under
            value = raw[column.field]
            if is_clear_mark(value):
                if column.required:
                    error(column, f"必填列不能填“{CLEAR_MARK}”")
                elif not self.clearable(column):
                    error(column, "该列不能清空,请填写数值;不修改请留空")
                else:
                    values.cleared.add(column.field)
                continue
            try:
                values[column.field] = self.clean_cell(column, value, values)
            except ValidationError as exc:
                error(column, exc.messages[0])
            else:
                if not _blank(value):
                    values.provided.add(column.field)
        # a natural key repeated within the file is reported whatever else is wrong with the row
        bad = {e.column for e in errors}
        if self.key and not any(self._header_of(f) in bad for f in self.key):
            key = tuple(values[f] for f in self.key)
            if key in seen_keys:
                column = next((c for c in columns if c.field == self.key[-1]), None)
                if column is None:
                    errors.append(Error(line, "", "", f"与第 {seen_keys[key]} 行重复"))
                else:
                    error(column, f"与第 {seen_keys[key]} 行重复")
            else:
                seen_keys[key] = line
        if errors:
            result.errors.extend(sorted(errors, key=lambda e: e.col or 0))
            return None
        return values

    def find_existing_many(self, rows: list[dict]) -> list:
        """The stored record (or None, or a RowError to report) for each row; override to look a batch
        up in one query — the default asks `find_existing` row by row."""
        out = []
        for values in rows:
            try:
                out.append(self.find_existing(values))
            except RowError as exc:
                out.append(exc)
        return out

    def _finish_rows(self, pending, columns, positions, result) -> None:
        """Merge each row into its stored record (blank = unchanged), run the row checks, work out the diff."""
        if not pending:
            return
        found = self.find_existing_many([values for _, _, values in pending])
        for (line, raw, values), record in zip(pending, found):
            self._finish_row(line, raw, values, record, columns, positions, result)

    def _finish_row(self, line, raw, values, record, columns, positions, result) -> None:
        try:
            if isinstance(record, RowError):
                raise record
            current = self.record_values(record) if record is not None else {}
            for f, stored in current.items():  # blank = unchanged: keep what is stored
                if f not in values.provided and f not in values.cleared:
                    values[f] = stored
            values = self.clean_row(values)
        except RowError as exc:
            column = next((c for c in columns if c.field == exc.field), None)
            if column is None:
                result.errors.append(Error(line, "", "", exc.reason))
            else:
                result.errors.append(Error(line, column.header, display(raw[column.field]), exc.reason,
                                           positions[column.field] + 1))
            return
        changes = self.changes_of(record, current, values) if record is not None else []
        outcome = "created" if record is None else ("updated" if changes else "unchanged")
        result.rows.append(Row(line, values, outcome, changes))

    def clearable(self, column: Column) -> bool:
        """Whether (清空) may empty this column: a nullable or text field (or one the importer stores itself)."""
        f = self.stored_field(column)
        if f is None:
            return True
        return f.null or isinstance(f, (models.CharField, models.TextField))

    def _header_of(self, field_name: str) -> str:
        return next((c.header for c in self.columns if c.field == field_name), "")

    def clean_cell(self, column: Column, value, values: dict):
        """One cell, cleaned by its column's kind and validator; ValidationError with a Chinese reason."""
        if value is NO_CACHED_VALUE:
            raise ValidationError(FORMULA_WITHOUT_VALUE)
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
            raise ValidationError(f"不能超过 {column.width} 个字(填了 {len(text)} 个字)")
        return text

    def _number(self, column, value, integer: bool):
        """A number cell within its column's bounds (the error list shows the value beside the reason)."""
        kind_text = ("非负整数" if column.min_value == 0 else "整数") if integer else ("非负数" if column.min_value == 0 else "数字")
        if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
            raise ValidationError(f"应为{kind_text}")
        text = as_text(value).replace(",", "").replace(" ", "")
        try:
            number = Decimal(text)
        except (ValueError, InvalidOperation):
            raise ValidationError(f"应为{kind_text}") from None
        if not number.is_finite() or (integer and number != number.to_integral_value()):
            raise ValidationError(f"应为{kind_text}")
        if column.min_value is not None and number < column.min_value:
            raise ValidationError(f"应为{kind_text}" if column.min_value == 0 else f"不能小于 {plain_number(column.min_value)}")
        if column.max_value is not None and number > column.max_value:  # before int(): 1e999999 would eat memory
            raise ValidationError(f"超出范围:不能大于 {plain_number(column.max_value)}")
        if not integer and column.places is not None and -number.as_tuple().exponent > column.places:
            rounded = number.quantize(Decimal(1).scaleb(-column.places))
            if isinstance(value, float) and abs(rounded - number) <= Decimal("1e-9") * max(1, abs(number)):
                number = rounded  # binary noise of a computed cell (1742.3000000000002), not a typed decimal
            else:
                raise ValidationError(f"小数位太多:最多保留 {column.places} 位小数")
        return int(number) if integer else number

    def _clean_int(self, column, value, values):
        return self._number(column, value, integer=True)

    def _clean_decimal(self, column, value, values):
        return self._number(column, value, integer=False)

    def _clean_date(self, column, value, values):
        return date_in_range(parse_date(value), column.min_value, column.max_value)

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

    def import_rows(self, rows: Sequence[Row], dry_run: bool = False, progress=None) -> Counts:
        return import_rows(rows, self.save_row, dry_run=dry_run, columns=self.columns, progress=progress)

    def error_workbook(self, upload, errors: Sequence[Error], sheet: str = "") -> bytes:
        return error_workbook(upload, errors, sheet, self.max_bytes)


def _chain(first, rest):
    yield from first
    yield from rest


def import_rows(rows: Sequence[Row], save_row: Callable[[dict], str], dry_run: bool = False,
                columns: Sequence[Column] = (), progress: Callable[[int], None] | None = None) -> Counts:
    """Write every row in one transaction with `save_row` (which returns created/updated/unchanged).

    A RowError or ValidationError from any row rolls the whole write back and is reported with its
    line; so does `dry_run`, which tells the preview what an import would do. `progress(rows written)`
    is called every few hundred rows (a background job's progress bar).
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
                if progress is not None and len(counts.outcomes) % LOOKUP_BATCH == 0:
                    progress(len(counts.outcomes))
            if counts.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return counts


def error_workbook(upload, errors: Sequence[Error], sheet: str = "", max_bytes: int = MAX_BYTES) -> bytes:
    """The uploaded workbook with every bad cell filled red and commented, plus an 错误说明 sheet."""
    data = read_upload(upload, max_bytes)
    check_archive(data)
    wb = load_workbook(io.BytesIO(data))
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
    "CLEAR_MARK", "Column", "Counts", "Error", "Importer", "NO_CACHED_VALUE", "ParseResult", "Refused", "Row",
    "RowError", "RowValues", "XLSX_TYPE", "check_archive", "estimate_rows", "csv_stream", "error_workbook", "export_response",
    "import_rows", "open_workbook", "read_upload", "safe_cell", "sheet_rows",
]


@dataclass(frozen=True)
class TemplateColumn:
    """What an import template shows of one column (the key of the templates kept in memory)."""

    header: str
    required: bool
    kind: str
    note: str
    format_text: str
    help: str
    labels: tuple[str, ...]
    min_value: Any


@lru_cache(maxsize=64)
def _template_bytes(title: str, max_rows: int, columns: tuple[TemplateColumn, ...]) -> bytes:
    """The template of an importer (see Importer.template): built from its arguments alone."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([c.header for c in columns])
    ws.freeze_panes = "A2"
    lists = None
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(1, i)
        cell.font = Font(bold=True, color="C00000" if column.required else None)
        cell.fill = HEADER_FILL
        cell.comment = Comment(column.note, "填写说明", width=260, height=90)
        ws.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        if column.kind == "choice" or column.kind == "bool":
            labels = list(column.labels) if column.kind == "choice" else ["是", "否"]
            if sum(len(x) + 1 for x in labels) < 250:
                formula = '"' + ",".join(labels) + '"'
            else:  # long lists live on a hidden sheet
                lists = lists or wb.create_sheet("选项")
                lists.sheet_state = "hidden"
                for r, label in enumerate(labels, start=1):
                    lists.cell(r, i, label)
                formula = f"选项!${letter}$1:${letter}${len(labels)}"
            dv = DataValidation(type="list", formula1=formula, allow_blank=not column.required,
                                showErrorMessage=True, errorTitle="请从列表中选择", error=column.note[:250])
        elif column.kind == "int" and column.min_value is not None:
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1=str(column.min_value),
                                showErrorMessage=True, errorTitle="应为整数", error=column.note[:250])
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
    notes.append([f"{title}导入说明"])
    notes["A1"].font = Font(bold=True, size=13)
    notes.append([f"1. 请在“{ws.title}”工作表第 2 行起逐行填写,不要修改第 1 行的表头;多余的列会被忽略。"])
    notes.append(["2. 上传后系统先检查全部行,列出所有错误;全部正确才会一次性写入,重复导入同一文件不会产生重复数据。"])
    notes.append(["3. 代码列请保持“文本”格式,以免 Excel 去掉开头的 0 或显示成科学计数法。"])
    notes.append([f"4. 更新已有记录时,留空的单元格表示“不修改”;要清空某项内容,请在该单元格填写“{CLEAR_MARK}”。"
                  "预览会逐项列出将要修改的内容(原值 → 新值)。"])
    notes.append([f"5. 每次最多导入 {max_rows} 行;公式单元格须有计算结果(请用 Excel/WPS 保存过,或粘贴为数值)。"])
    notes.append([])
    notes.append(["列名", "是否必填", "填写要求", "说明"])
    for cell in notes[notes.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for c in columns:
        notes.append([c.header, "必填" if c.required else "选填", c.format_text, c.help])
    for letter, width in zip("ABCD", (18, 10, 46, 40)):
        notes.column_dimensions[letter].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

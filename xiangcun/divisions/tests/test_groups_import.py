"""Villager groups from Excel: upload → preview (every error, nothing written) → confirm → one write."""
import csv
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from xiangcun.accounts.models import Role

HEADER = ["村民小组名称", "所属村代码", "户数", "人口"]


@pytest.fixture
def office(client, maerkang, make_user):
    client.force_login(make_user("office", Role.REFORM_OFFICE, maerkang))
    return client


def _sheet(rows):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "groups.xlsx"
    return buf


def _upload(client, unit, rows):
    return client.post(reverse("divisions:group_import", args=[unit.pk]), {"file": _sheet(rows)})


def _confirm(client, unit, preview):
    return client.post(reverse("divisions:group_import", args=[unit.pk]),
                       {"action": "confirm", "token": preview.context["token"]})


def test_villager_group_import_reports_every_error_and_writes_nothing(office, unit):
    village = unit("松岗村")
    bad = [HEADER, ["一组", village.code, 30, 120], ["", village.code, 10, 40],
           ["三组", "513201999999", "x", 5], ["四组", village.code, -1, None]]
    response = _upload(office, unit("松岗镇"), bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "发现 4 处错误" in page and "不能为空" in page and "不是您管辖范围内现有的村" in page and "非负整数" in page
    assert [(e.row, e.column) for e in response.context["result"].errors] == [
        (3, "村民小组名称"), (4, "所属村代码"), (4, "户数"), (5, "户数")]
    assert "确认导入" not in page
    # confirming a file with errors writes nothing either
    assert _confirm(office, unit("松岗镇"), response).status_code == 400
    assert not village.children.exists()


def test_villager_group_import_is_idempotent_and_tolerates_excel_quirks(office, unit):
    village = unit("松岗村")
    code_as_number = int(village.code)
    rows = [HEADER, ["一组", code_as_number, "３０", 120], ["二组", village.code, 25.0, 90], [None, None, None, None]]
    outcomes = []
    for _ in range(2):
        preview = _upload(office, unit("松岗镇"), rows)
        assert preview.status_code == 200 and "确认导入 2 行" in preview.content.decode()
        outcomes.append([cells[-1] for cells in preview.context["preview"]])
        response = _confirm(office, unit("松岗镇"), preview)
        assert response.status_code == 302
    assert outcomes == [["新增", "新增"], ["不变", "不变"]]
    groups = {g.name: (g.households, g.population) for g in village.children.all()}
    assert groups == {"一组": (30, 120), "二组": (25, 90)}
    template = office.get(reverse("divisions:group_template"))
    assert load_workbook(io.BytesIO(template.content)).active["A1"].value == "村民小组名称"


def test_the_preview_writes_nothing_and_a_changed_row_updates(office, unit):
    village = unit("松岗村")
    _confirm(office, unit("松岗镇"), _upload(office, unit("松岗镇"), [HEADER, ["一组", village.code, 30, 120]]))
    preview = _upload(office, unit("松岗镇"), [HEADER, ["一组", village.code, 31, 121], ["二组", village.code, 5, 9]])
    assert preview.context["counts"].updated == 1 and preview.context["counts"].created == 1
    assert village.children.get().households == 30  # the preview rolled its trial write back
    assert _confirm(office, unit("松岗镇"), preview).status_code == 302
    assert {g.name: g.households for g in village.children.all()} == {"一组": 31, "二组": 5}


def test_a_village_outside_the_unit_is_refused(office, unit):
    """The scope is the unit the import was opened from, not everything the user may see."""
    outside = unit("党坝村")
    response = _upload(office, unit("松岗镇"), [HEADER, ["一组", outside.code, 1, 1]])
    assert response.status_code == 400 and "不是您管辖范围内现有的村" in response.content.decode()


def test_a_preview_token_works_only_for_its_own_page(office, unit):
    village = unit("松岗村")
    preview = _upload(office, unit("松岗镇"), [HEADER, ["一组", village.code, 1, 1]])
    other = office.post(reverse("divisions:group_import", args=[unit("党坝乡").pk]),
                        {"action": "confirm", "token": preview.context["token"]})
    assert other.status_code == 404 and not village.children.exists()


def test_the_error_file_marks_the_bad_cells(office, unit):
    village = unit("松岗村")
    preview = _upload(office, unit("松岗镇"), [HEADER, ["一组", village.code, "x", 1]])
    url = reverse("divisions:group_import", args=[unit("松岗镇").pk])
    marked = office.get(url, {"token": preview.context["token"], "download": "errors"})
    wb = load_workbook(io.BytesIO(marked.content))
    assert wb.worksheets[0]["C2"].fill.fgColor.rgb.endswith("FFC7CE") and "非负整数" in wb.worksheets[0]["C2"].comment.text
    assert [c.value for c in wb["错误说明"][2]] == [2, "户数", "x", "应为非负整数"]


def test_a_file_that_is_not_excel_is_refused_on_the_upload_page(office, unit):
    fake = io.BytesIO("村民小组名称,所属村代码\n一组,513201100200\n".encode("gbk"))
    fake.name = "groups.csv"
    response = office.post(reverse("divisions:group_import", args=[unit("松岗镇").pk]), {"file": fake})
    assert response.status_code == 400 and "不是 Excel 工作簿(.xlsx)" in response.content.decode()


def test_the_upload_page_lists_the_columns(office, unit):
    page = office.get(reverse("divisions:group_import", args=[unit("松岗镇").pk])).content.decode()
    assert "村民小组名称" in page and "12 位统计用区划代码" in page and "上传并预览" in page


def test_the_division_list_exports_as_csv_with_its_filters(office):
    response = office.get(reverse("divisions:export"), {"q": "纳足", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff区划代码,名称")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r[1] for r in rows[1:]} == {"纳足村"} and rows[1][0] == "513201100210"

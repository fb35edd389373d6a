"""Population by cohort imported from Excel for villages and their villager groups (村民小组 have no
code: a row names its village by code and the group by name), and what the demand page counts."""
import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from xiangcun.accounts.models import Role
from xiangcun.divisions import services as registry
from xiangcun.divisions.models import Kind
from xiangcun.facilities import diagnosis
from xiangcun.facilities.imports import CohortImporter
from xiangcun.facilities.models import Cohort

HEADERS = [c.header for c in CohortImporter.columns]


def sheet(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("人口.xlsx", buf.getvalue())


def row(village, group, year, six_to_eleven, total):
    # 村(社区)代码, 村民小组, 年度, 3–5, 6–11, 12–14, 15–17, 65+, 总人口, 来源
    return [village.code, group, year, 0, six_to_eleven, 0, 0, 0, total, "小组统计"]


@pytest.fixture
def groups(county_data):
    v1, v2 = county_data["villages"][0], county_data["villages"][1]
    made = {}
    for v in (v1, v2):
        for name in ("一组", "二组"):
            made[(v.pk, name)] = registry.create_unit(name, Kind.VILLAGER_GROUP, v, dt.date(2019, 1, 1))
    return v1, v2


@pytest.fixture
def township(make_user, unit):
    return make_user("sgz", Role.TOWNSHIP, unit("松岗镇"))


def _errors(page: str) -> list[list[str]]:
    table = re.search(r'<table[^>]*id="import-errors".*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [[" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def test_an_unknown_villager_group_is_named_with_its_row_column_and_value(client, township, groups):
    v1, v2 = groups
    client.force_login(township)
    upload = sheet([row(v1, "一组", 2024, 30, 300), row(v1, "九组", 2024, 10, 100), row(v2, "", 2024, 50, 500)])
    page = client.post(reverse("facilities:demand_import"), {"action": "upload", "file": upload})
    assert page.status_code == 400
    assert _errors(page.content.decode()) == [["第 3 行", "村民小组", "九组", f"{v1.name}下没有名为“九组”的村民小组"]]
    assert not Cohort.objects.filter(year=2024).exists()


def test_group_rows_import_and_count_for_their_village_unless_it_has_its_own(client, township, groups):
    v1, v2 = groups
    client.force_login(township)
    rows = [row(v2, "一组", 2024, 30, 300), row(v2, "二组", 2024, 20, 250),  # v2: groups only
            row(v1, "", 2024, 100, 1000), row(v1, "一组", 2024, 40, 400)]   # v1: its own row wins
    page = client.post(reverse("facilities:demand_import"), {"action": "upload", "file": sheet(rows)})
    text = page.content.decode()
    assert page.status_code == 200, _errors(text)
    assert "新增 <b>4</b>" in text
    token = re.search(r'name="token" value="([^"]+)"', text).group(1)
    done = client.post(reverse("facilities:demand_import"), {"action": "confirm", "token": token})
    assert done.status_code == 302
    assert Cohort.objects.get(unit__parent=v2, unit__name="二组", year=2024).total == 250

    d = diagnosis.demand(v1.parent, 2024)
    assert d.cohorts[v2.pk]["age_6_11"] == 50 and d.cohorts[v1.pk]["age_6_11"] == 100

    page = client.get(reverse("facilities:demand"), {"year": 2024}).content.decode()
    assert f"{v2.name} · 二组" in page
    assert re.search(rf"{v1.name} · 一组\s*<span[^>]*>不计入合计", page)
    totals = re.search(r'<tr class="fw-bold"><td colspan="2">合计</td>(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r">(\d+)<", totals)
    assert cells[1] == "150" and cells[5] == "1550"  # 6–11: 30 + 20 + 100; total: 300 + 250 + 1000
    history = re.search(r'<td>2024</td>(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r">(\d+)<", history)[1] == "150"
    assert v2.name not in re.search(r"尚未填报的村</div>(.*?)</div>", page, re.S).group(1)

    # the export carries the group in its own column and imports back unchanged
    export = client.get(reverse("facilities:demand_export"))
    from openpyxl import load_workbook

    data = b"".join(export.streaming_content) if export.streaming else export.content
    wb = load_workbook(io.BytesIO(data))
    back = [list(r) for r in wb.active.iter_rows(min_row=2, values_only=True) if r[2] == 2024]
    assert [v2.code, "二组"] in [r[:2] for r in back]
    again = client.post(reverse("facilities:demand_import"), {"action": "upload", "file": sheet(back)}).content.decode()
    assert "不变 <b>4</b>" in again


def test_the_upload_page_and_template_explain_the_villager_group_column(client, township):
    client.force_login(township)
    page = client.get(reverse("facilities:demand_import")).content.decode()
    assert "村民小组" in page and "留空为全村人口" in page and "村民小组的人口也填所属村的代码" in page
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(client.get(reverse("facilities:demand_import"), {"template": 1}).content))
    assert wb.active["B1"].value == "村民小组"
    notes = [r for r in wb["填写说明"].iter_rows(values_only=True) if r and r[0] == "村民小组"]
    assert notes and "村民小组名称" in notes[0][2] and "留空为全村人口" in notes[0][3]

"""耕地保护: township targets against actuals (gap, 红/绿, the county's totals and rate), who may enter what, the
.xlsx import (bounds, Chinese errors naming row and column) and export; 图斑 with their geometry checks, the
rectification steps (audited), overdue flags, filters, scope, the evidence file; both following a merger."""
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiangcun.core.models import AuditEntry
from xiangcun.core.roles import Role
from xiangcun.divisions import services as registry
from xiangcun.divisions.models import Division, Kind
from xiangcun.zones import farmland
from xiangcun.zones.errors import ZoneError
from xiangcun.zones.models import FarmlandTarget, Patch, PatchKind, PatchStatus

D = dt.date
TODAY = dt.date.today()
YEAR = TODAY.year


@pytest.fixture
def office(make_user, maerkang):
    return make_user("gaigeban", Role.REFORM_OFFICE, maerkang)


@pytest.fixture
def songgang(make_user, unit):
    return make_user("songgang", Role.TOWNSHIP, unit("松岗镇"))


def village_of(unit, township):
    return Division.objects.current().filter(parent=unit(township), kind=Kind.VILLAGE).order_by("code").first()


def make_patch(unit_, number, **kw):
    fields = {"kind": PatchKind.OCCUPATION, "area": Decimal("3.5"), "lon": 102.2, "lat": 31.9,
              "found_on": D(2025, 3, 1), "deadline": TODAY + dt.timedelta(days=30)}
    fields.update(kw)
    return farmland.save_patch(None, Patch(number=number, unit=unit_, **fields))


def sheet(response):
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                           else response.content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def workbook(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("耕地.xlsx", buf.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_the_county_page_shows_each_township_s_gap_status_and_the_totals(client, office, unit, maerkang):
    client.force_login(office)
    url = reverse("zones:farmland") + f"?scope={maerkang.pk}&year={YEAR}"
    r = client.post(url, {"unit": unit("松岗镇").pk, "year": YEAR, "cultivated_target": "10000",
                          "cultivated_actual": "10250.5", "basic_target": "8000", "basic_actual": "8000"})
    assert r.status_code == 302
    farmland.save_target(office, unit("党坝乡"), YEAR, {"cultivated_target": Decimal(5000),
                                                       "cultivated_actual": Decimal(4800),
                                                       "basic_target": Decimal(4000), "basic_actual": Decimal(4100)})
    page = client.get(url).content.decode()
    sg = page.split(f'id="township-{unit("松岗镇").pk}"')[1].split("</tr>")[0]
    assert "250.5" in sg and "绿" in sg and "102.5%" in sg
    db = page.split(f'id="township-{unit("党坝乡").pk}"')[1].split("</tr>")[0]
    assert "-200" in db and "红" in db and "96.0%" in db
    total = page.split('id="farmland-total"')[1].split("</tr>")[0]
    assert "15,000" in total or "15000" in total
    summary = page.split('id="farmland-summary"')[1].split("</p>")[0]
    assert "100.3%" in summary  # 15050.5 / 15000
    assert "达标乡镇 <span class=\"text-success\">1</span>" in summary
    rows = sheet(client.get(reverse("zones:farmland_export") + f"?scope={maerkang.pk}&year={YEAR}"))
    assert rows[0][:3] == ["乡镇", "乡镇代码", "年度"]
    db_row = next(r for r in rows if r[0] == "党坝乡")
    assert db_row[1] == unit("党坝乡").code and db_row[5] == -200 and db_row[9] == "红(未达标)"


def test_a_township_enters_its_own_actuals_but_not_the_targets(client, office, songgang, unit):
    farmland.save_target(office, unit("松岗镇"), YEAR, {"cultivated_target": Decimal(10000),
                                                       "basic_target": Decimal(8000)})
    client.force_login(songgang)
    url = reverse("zones:farmland") + f"?year={YEAR}"
    page = client.get(url).content.decode()
    assert 'name="cultivated_actual"' in page and 'name="cultivated_target"' not in page
    r = client.post(url, {"unit": unit("松岗镇").pk, "year": YEAR, "cultivated_actual": "9999",
                          "basic_actual": "8001", "cultivated_target": "1"})
    assert r.status_code == 302
    row = FarmlandTarget.objects.get(unit=unit("松岗镇"), year=YEAR)
    assert row.cultivated_target == 10000 and row.cultivated_actual == 9999 and row.status == "red"
    # another township is not in the list; the service refuses it too
    r = client.post(url, {"unit": unit("党坝乡").pk, "year": YEAR, "cultivated_actual": "1"})
    assert r.status_code == 400 and "请从列表中选择您管辖范围内的现行乡镇" in r.content.decode()
    with pytest.raises(ZoneError) as exc:
        farmland.save_target(songgang, unit("松岗镇"), YEAR, {"basic_target": Decimal(1)})
    assert exc.value.fields == {"basic_target": "下达任务由县两项改革办填写,乡镇只填报实有面积"}
    assert client.get(reverse("zones:farmland_import")).status_code == 403


def test_bad_figures_are_refused_beside_their_field(client, office, unit):
    client.force_login(office)
    r = client.post(reverse("zones:farmland"), {"unit": unit("松岗镇").pk, "year": YEAR, "cultivated_target": "-5",
                                                "basic_actual": "1e30"})
    page = r.content.decode()
    assert r.status_code == 400
    assert "面积不能为负数" in page or "不能小于 0" in page
    assert "超出范围" in page or "不能超过" in page or "位数" in page
    assert 'value="-5"' in page
    assert not FarmlandTarget.objects.exists()


def test_the_import_creates_and_updates_and_names_row_and_column_of_bad_cells(client, office, unit):
    sg, db = unit("松岗镇"), unit("党坝乡")
    client.force_login(office)
    url = reverse("zones:farmland_import")
    header = ["乡镇代码", "年度", "耕地保有量下达任务(亩)", "耕地保有量实有(亩)", "永久基本农田下达任务(亩)",
              "永久基本农田实有(亩)", "说明"]
    bad = workbook([header, [sg.code, YEAR, 10000, 10100, 8000, 8000, ""],
                    [db.code, 1800, -1, "很多", 99999999999, 1, ""]])
    r = client.post(url, {"file": bad})
    page = r.content.decode()
    assert "第3行" in page or "3" in page
    assert "年度" in page and "耕地保有量下达任务(亩)" in page and "耕地保有量实有(亩)" in page
    assert "不能小于" in page and "不能大于" in page
    assert not FarmlandTarget.objects.exists()
    good = workbook([header, [sg.code, YEAR, 10000, 10100, 8000, 8000, "县下达"],
                     [db.code, YEAR, 5000, 4900, 4000, 4000, ""]])
    r = client.post(url, {"file": good})
    token = r.content.decode().split('name="token" value="')[1].split('"')[0]
    r = client.post(url, {"token": token, "action": "confirm"})
    assert r.status_code == 302
    assert FarmlandTarget.objects.get(unit=db, year=YEAR).status == "red"
    # blank = unchanged: a second sheet giving only the actual keeps the targets
    r = client.post(url, {"file": workbook([["乡镇代码", "年度", "耕地保有量实有(亩)"], [db.code, YEAR, 5100]])})
    token = r.content.decode().split('name="token" value="')[1].split('"')[0]
    client.post(url, {"token": token, "action": "confirm"})
    row = FarmlandTarget.objects.get(unit=db, year=YEAR)
    assert row.cultivated_target == 5000 and row.cultivated_actual == 5100


def test_patch_geometry_self_intersecting_or_outside_the_county_is_refused_naming_the_patch(client, office, county,
                                                                                           unit):
    town = unit("松岗镇")
    town = Division.objects.get(pk=town.pk)
    lon, lat = town.lon, town.lat
    client.force_login(office)
    url = reverse("zones:patches") + f"?scope={county.pk}"
    base = {"number": "TB-001", "unit": town.pk, "kind": PatchKind.OCCUPATION, "area": "2.5", "found_on": "2025-04-01",
            "deadline": "2025-10-01"}
    d = 0.001
    bowtie = (f'{{"type":"Polygon","coordinates":[[[{lon},{lat}],[{lon + d},{lat + d}],[{lon + d},{lat}],'
              f'[{lon},{lat + d}],[{lon},{lat}]]]}}')
    r = client.post(url, {**base, "geometry_text": bowtie})
    assert r.status_code == 400 and "图斑TB-001的范围自相交" in r.content.decode()
    far = ('{"type":"Polygon","coordinates":[[[116.3,39.9],[116.31,39.9],[116.31,39.91],[116.3,39.91],'
           '[116.3,39.9]]]}')
    r = client.post(url, {**base, "geometry_text": far})
    assert r.status_code == 400 and "图斑TB-001的范围超出马尔康市行政区域" in r.content.decode()
    r = client.post(url, {**base, "lon": "116.3", "lat": "39.9"})
    assert r.status_code == 400 and "图斑TB-001的位置(116.3,39.9)不在马尔康市行政区域内" in r.content.decode()
    r = client.post(url, {**base, "geometry_text": "not json"})
    assert r.status_code == 400 and "图斑TB-001的范围不是有效的GeoJSON" in r.content.decode()
    assert not Patch.objects.exists()
    square = (f'{{"type":"Polygon","coordinates":[[[{lon},{lat}],[{lon + d},{lat}],[{lon + d},{lat + d}],'
              f'[{lon},{lat + d}],[{lon},{lat}]]]}}')
    r = client.post(url, {**base, "geometry_text": square})
    assert r.status_code == 302
    patch = Patch.objects.get(number="TB-001")
    assert patch.geometry["type"] == "Polygon" and abs(patch.lon - lon) < 0.01 and patch.created_by == office
    r = client.post(url, {**base, "lon": str(lon), "lat": str(lat)})
    assert r.status_code == 400 and "图斑编号TB-001已登记" in r.content.decode()


def test_rectification_steps_are_audited_and_the_county_closes(client, office, songgang, unit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    patch = make_patch(village_of(unit, "松岗镇"), "TB-101")
    client.force_login(songgang)
    url = reverse("zones:patch", args=[patch.pk])
    page = client.get(url).content.decode()
    assert 'value="closed"' not in page and 'value="rectified"' in page
    r = client.post(url, {"status": "rectified", "note": ""})
    assert r.status_code == 400 and "请填写整改情况" in r.content.decode()
    evidence = SimpleUploadedFile("复耕照片.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    r = client.post(url, {"status": "rectified", "note": "已拆除违建并复耕", "rectified_on": TODAY.isoformat(),
                          "evidence": evidence})
    assert r.status_code == 302
    patch.refresh_from_db()
    assert patch.status == PatchStatus.RECTIFIED and patch.rectified_on == TODAY and patch.evidence_name == "复耕照片.pdf"
    assert client.get(reverse("zones:patch_evidence", args=[patch.pk])).status_code == 200
    r = client.post(url, {"status": "closed"})
    assert r.status_code == 400 and "销号或退回整改由县两项改革办核验后办理" in r.content.decode()
    client.force_login(office)
    assert client.post(url, {"status": "closed"}).status_code == 302
    events = AuditEntry.objects.filter(action="zones.patch_status").order_by("seq")
    assert [(e.data["from"], e.data["to"]) for e in events] == [("pending", "rectified"), ("rectified", "closed")]
    history = client.get(url).content.decode()
    assert "图斑整改状态变更" in history and "已销号" in history
    r = client.post(url, {"status": "pending"})
    assert r.status_code == 400


def test_overdue_filters_scope_and_export(client, office, songgang, make_user, unit, maerkang):
    late = make_patch(village_of(unit, "松岗镇"), "TB-201", deadline=TODAY - dt.timedelta(days=5))
    make_patch(unit("松岗镇"), "TB-202", kind=PatchKind.NON_GRAIN)
    other = make_patch(village_of(unit, "党坝乡"), "TB-203")
    assert late.is_overdue(TODAY) and not other.is_overdue(TODAY)
    client.force_login(office)
    page = client.get(reverse("zones:patches") + "?overdue=1").content.decode()
    assert "TB-201" in page and "TB-202" not in page and "逾期" in page
    page = client.get(reverse("zones:patches") + "?kind=non_grain").content.decode()
    assert "TB-202" in page and "TB-201" not in page
    assert client.get(reverse("zones:patches") + "?status=bogus").status_code == 400
    rows = sheet(client.get(reverse("zones:patches_export") + f"?scope={maerkang.pk}"))
    assert rows[0] == list(farmland.PATCH_COLUMNS)
    assert next(r for r in rows if r[0] == "TB-201")[10] == "逾期"
    client.force_login(songgang)
    page = client.get(reverse("zones:patches")).content.decode()
    assert "TB-201" in page and "TB-203" not in page and 'id="patch-form"' not in page
    assert client.get(reverse("zones:patch", args=[other.pk])).status_code == 404
    assert client.post(reverse("zones:patches"), {"number": "X"}).status_code == 403


def test_a_merged_township_s_targets_and_patches_follow_to_its_successor(office, unit, client):
    sg, db = unit("松岗镇"), unit("党坝乡")
    farmland.save_target(office, sg, YEAR, {"cultivated_target": Decimal(100), "cultivated_actual": Decimal(110),
                                            "basic_target": Decimal(50), "basic_actual": Decimal(50)})
    farmland.save_target(office, db, YEAR, {"cultivated_target": Decimal(40), "cultivated_actual": Decimal(20),
                                            "basic_target": Decimal(10), "basic_actual": Decimal(10)})
    farmland.save_target(office, db, YEAR - 1, {"cultivated_target": Decimal(40)})
    on_town = make_patch(db, "TB-301")
    village = village_of(unit, "党坝乡")
    on_village = make_patch(village, "TB-302")
    registry.merge([db], TODAY, into=sg, document="川府民政〔2026〕1号")
    row = FarmlandTarget.objects.get(unit=sg, year=YEAR)
    assert row.cultivated_target == 140 and row.cultivated_actual == 130 and row.status == "red"
    assert row.merged_from == "党坝乡"
    assert FarmlandTarget.objects.get(unit=sg, year=YEAR - 1).cultivated_target == 40
    assert not FarmlandTarget.objects.filter(unit=db).exists()
    on_town.refresh_from_db()
    on_village.refresh_from_db()
    assert on_town.unit == sg and on_town.former_unit == db
    # a village under the merged township moves under the successor with it and keeps its patches
    assert on_village.unit == village and on_village.former_unit is None
    assert Division.objects.get(pk=village.pk).parent_id == sg.pk
    assert AuditEntry.objects.filter(action="zones.farmland_follow").count() == 2
    assert AuditEntry.objects.filter(action="zones.patch_follow").count() == 1
    client.force_login(office)
    page = client.get(reverse("zones:patches") + f"?scope={sg.pk}").content.decode()
    assert "TB-301" in page and "(原党坝乡)" in page and "TB-302" in page
    page = client.get(reverse("zones:farmland") + f"?year={YEAR}").content.decode()
    assert "(含党坝乡)" in page


def test_a_merged_village_s_patches_pass_to_the_village_that_took_it_over(office, unit):
    a, b = Division.objects.current().filter(parent=unit("松岗镇"), kind=Kind.VILLAGE).order_by("code")[:2]
    patch = make_patch(b, "TB-401")
    registry.merge([b], TODAY - dt.timedelta(days=1), into=a)
    patch.refresh_from_db()
    assert patch.unit == a and patch.former_unit == b


def test_the_api_lists_targets_and_patches_within_the_users_scope(client, office, songgang, unit):
    farmland.save_target(office, unit("松岗镇"), YEAR, {"cultivated_target": Decimal(100),
                                                       "cultivated_actual": Decimal(90)})
    farmland.save_target(office, unit("党坝乡"), YEAR, {"cultivated_target": Decimal(50)})
    make_patch(village_of(unit, "松岗镇"), "TB-501", deadline=TODAY - dt.timedelta(days=1))
    make_patch(village_of(unit, "党坝乡"), "TB-502")
    client.force_login(songgang)
    rows = client.get("/api/v1/zones/farmland/", {"year": YEAR}).json()["results"]
    assert [(r["unit_name"], r["cultivated_gap"]) for r in rows] == [("松岗镇", "-10.00")]
    rows = client.get("/api/v1/zones/patches/", {"overdue": "1"}).json()["results"]
    assert [(r["number"], r["overdue"], r["status_label"]) for r in rows] == [("TB-501", True, "待整改")]
    assert client.get("/api/v1/zones/farmland/", {"year": "20"}).status_code == 400
    client.force_login(office)
    assert len(client.get("/api/v1/zones/patches/").json()["results"]) == 2


def test_the_workbench_shows_overdue_patches_to_those_who_see_them(client, office, make_user, unit):
    make_patch(village_of(unit, "松岗镇"), "TB-601", deadline=TODAY - dt.timedelta(days=3))
    client.force_login(office)
    page = client.get(reverse("workbench:home")).content.decode()
    assert "逾期未整改的图斑" in page and reverse("zones:patches") + "?overdue=1" in page
    client.force_login(make_user("dangba", Role.TOWNSHIP, unit("党坝乡")))
    assert "逾期未整改的图斑" not in client.get(reverse("workbench:home")).content.decode()

"""Measures per scope and period; the network gap analysis; the item catalogue import and lists."""
import datetime as dt
import io

from openpyxl import Workbook, load_workbook

from xiangcun.services import casework, item_lists, service_network, stats
from xiangcun.services.models import Case, ItemList, PointKind, ServiceItem, ServicePoint, UnitType

T = lambda d: dt.datetime(2024, 3, d, 9, tzinfo=dt.UTC)  # noqa: E731


def _xlsx_rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))


def _done(case, cast, finish_day, delivery="home"):
    case = casework.transition(case, "forward", cast["agent"], when=T(4))
    case = casework.transition(case, "start", cast["songgang"], when=T(5))
    case = casework.transition(case, "complete", cast["songgang"], result="办结", when=T(finish_day))
    return casework.transition(case, "deliver", cast["agent"], delivery=delivery, when=T(finish_day))


def test_measures_count_on_time_working_days_one_trip_and_returns(take, cast, unit, maerkang, db):
    _done(take(when=T(4)), cast, 6)                        # 2 working days, on time, 1 trip
    _done(take(when=T(4)), cast, 13, delivery="window")    # 7 working days, late, 2 trips
    r = casework.transition(casework.transition(take(when=T(4)), "forward", cast["agent"], when=T(4)), "return",
                            cast["songgang"], missing="户口簿", reason="缺", when=T(5))
    take(agent="agent2", village="党坝村", when=T(4))
    rep = stats.report(Case.objects.all(), unit("松岗镇"), dt.date(2024, 3, 1), dt.date(2024, 3, 31), dt.date(2024, 4, 1))
    t = rep.total
    assert (t.taken, t.completed, t.on_time, t.delivered, t.one_trip, t.returned) == (3, 2, 1, 2, 1, 1)
    assert t.on_time_pct == 50.0 and t.avg_days == 4.5 and t.returned_pct == 33.3
    assert [v.label for v in rep.by_village] == ["松岗村"]
    county = stats.report(Case.objects.all(), maerkang, dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    assert county.total.taken == 4 and len(county.by_village) == 2
    assert r.returned_count == 1


def test_the_measures_page_and_its_export(client, take, cast, unit):
    _done(take(when=T(4)), cast, 6)
    client.force_login(cast["office"])
    r = client.get("/services/measures/?from=2024-01-01&to=2024-12-31")
    assert r.status_code == 200 and "按时办结率" in r.content.decode()
    rows = _xlsx_rows(client.get("/services/measures/export.xlsx?from=2024-01-01&to=2024-12-31"))
    assert rows[0][0] == "单位/事项" and rows[-1][0] == "合计" and rows[-1][1] == 1


def test_villages_beyond_the_travel_distance_are_gaps(unit, maerkang):
    sg, db_ = unit("松岗村"), unit("党坝村")
    for v, (lon, lat) in ((sg, (102.0, 31.9)), (db_, (102.3, 31.9))):
        v.lon, v.lat = lon, lat
        v.save(update_fields=["lon", "lat"])
    point = ServicePoint.objects.create(name="松岗镇便民服务中心", kind=PointKind.CENTRE, unit=unit("松岗镇"),
                                        lon=102.01, lat=31.9)
    rows = {r.village.name: r for r in service_network.coverage([sg, db_], [point], max_km=5)}
    assert not rows["松岗村"].gap and rows["松岗村"].km < 1.5
    assert rows["党坝村"].gap and 35 < rows["党坝村"].km < 45  # ~27 km straight × 1.4


def test_the_network_page_and_its_export_name_the_gaps(client, cast, unit, maerkang):
    sg, db_ = unit("松岗村"), unit("党坝村")
    for v, (lon, lat) in ((sg, (102.0, 31.9)), (db_, (102.3, 31.9))):
        v.lon, v.lat = lon, lat
        v.save(update_fields=["lon", "lat"])
    ServicePoint.objects.create(name="松岗镇便民服务中心", kind=PointKind.CENTRE, unit=unit("松岗镇"), lon=102.01, lat=31.9)
    client.force_login(cast["office"])
    page = client.get("/services/network/?km=5")
    gaps = page.content.decode().split('id="gap-table"')[1].split("</table>")[0]
    assert "党坝村" in gaps and "松岗村" not in gaps
    assert "export.xlsx?km=5&amp;detour=1.4" in page.content.decode()
    rows = {r[0]: r for r in _xlsx_rows(client.get("/services/network/export.xlsx?km=5&detour=1.4"))}
    assert rows["村(社区)"][-1] == "结论"
    assert rows["党坝村"][-1] == "服务空白(超出 5 公里)" and rows["松岗村"][-1] == "覆盖"
    assert rows["松岗村"][3] == "松岗镇便民服务中心" and rows["松岗村"][1] == sg.code
    rows = {r[0]: r for r in _xlsx_rows(client.get("/services/network/export.xlsx?km=50&detour=1.4"))}
    assert rows["党坝村"][-1] == "覆盖"


def _sheet(wb):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("事项.xlsx", buf.getvalue())


def test_item_catalogue_import_with_lists_and_list_versions(client, cast, db):
    lst = ItemList.objects.create(name="村级事项清单", unit_type=UnitType.VILLAGE, effective_from=dt.date(2021, 1, 1))
    wb = Workbook()
    ws = wb.active
    ws.append(["事项编码", "事项名称", "事项类别", "办理层级", "责任部门", "申请材料", "承诺时限(工作日)", "可代办", "跑动次数", "所属清单"])
    ws.append(["V-001", "新型农村合作医疗参保登记", "医疗保障", "村(社区)便民服务室", "医保", "身份证;户口簿", 3, "是", "最多跑一次", "村级事项清单"])
    ws.append(["V-002", "独生子女父母光荣证", "卫生健康", "乡镇(街道)便民服务中心", "卫健", "身份证、结婚证", "abc", "是", "", "不存在的清单"])
    client.force_login(cast["office"])
    r = client.post("/services/items/import/", {"action": "upload", "file": _sheet(wb)})
    body = r.content.decode()
    assert "abc" in body and ServiceItem.objects.count() == 0  # errors shown, nothing written
    ws.cell(3, 7).value = 5
    body = client.post("/services/items/import/", {"action": "upload", "file": _sheet(wb)}).content.decode()
    assert "没有名为“不存在的清单”的现行清单" in body
    ws.delete_rows(3)
    client.post("/services/items/import/", {"action": "upload", "file": _sheet(wb)})
    token = list(client.session["excel_imports"])[-1]
    client.post("/services/items/import/", {"action": "confirm", "token": token})
    item = ServiceItem.objects.get(code="V-001")
    assert item.material_list == ["身份证", "户口簿"] and lst.items.filter(pk=item.pk).exists()
    new = item_lists.new_list_version(lst, dt.date(2024, 1, 1), [item.pk], "马府办〔2024〕1号")
    lst.refresh_from_db()
    assert new.version == 2 and lst.effective_to == dt.date(2024, 1, 1)
    assert item_lists.list_on("村级事项清单", dt.date(2023, 6, 1)) == lst
    assert item_lists.list_on("村级事项清单", dt.date(2024, 6, 1)) == new

"""Keeping the service network: the reform office adds and edits service points from the network page,
deactivates them (never deleted); every change is audited, scoped to the jurisdiction, checked in Chinese."""
import pytest
from rest_framework.test import APIClient

from xiangcun.accounts.models import Role
from xiangcun.core.audit import AuditEntry
from xiangcun.services import service_network
from xiangcun.services.errors import CaseError
from xiangcun.services.models import PointKind, ServicePoint


def post_point(client, unit, pk=None, **fields):
    """POST the point form; `fields` override the defaults (`at`: the point's unit, as `unit` is the fixture)."""
    fields = {("unit" if k == "at" else k): v for k, v in fields.items()}
    data = {"name": "松岗村便民服务室", "kind": PointKind.ROOM, "unit": unit("松岗村").pk, "address": "松岗村村委会一楼",
            "lon": "102.0890", "lat": "31.8900", "opening_hours": "工作日 9:00-12:00 14:30-17:30", "staff": "泽仁卓玛",
            "staff_count": "2", "villages": [unit("松岗村").pk, unit("直波村").pk], "note": "", **fields}
    data = {k: v for k, v in data.items() if v is not None}
    url = f"/services/network/points/{pk}/" if pk else "/services/network/points/new/"
    return client.post(url, data)


def test_the_office_adds_a_point_from_the_network_page_and_sees_it_listed(client, cast, unit):
    client.force_login(cast["office"])
    network = client.get("/services/network/").content.decode()
    assert "新增网点" in network and 'href="/services/network/points/new/"' in network
    form = client.get("/services/network/points/new/").content.decode()
    assert "松岗镇 · 松岗村" in form and "服务村(社区)" in form
    answer = post_point(client, unit)
    assert answer.status_code == 302 and answer["Location"] == "/services/network/#tab-points"
    point = ServicePoint.objects.get(name="松岗村便民服务室")
    assert (point.unit, point.lon, point.lat, point.staff_count, point.is_active) == (unit("松岗村"), 102.089, 31.89, 2, True)
    assert set(point.villages.all()) == {unit("松岗村"), unit("直波村")}
    network = client.get(answer["Location"]).content.decode()
    assert "已新增网点“松岗村便民服务室”" in network
    assert "松岗村便民服务室" in network and f'href="/services/network/points/{point.pk}/"' in network
    entry = AuditEntry.objects.for_object(point).get()
    assert (entry.action, entry.actor, entry.path) == ("create", cast["office"], unit("松岗村").path)
    assert entry.data == {"villages": ["松岗村", "直波村"]} and entry.after["opening_hours"] == "工作日 9:00-12:00 14:30-17:30"


def test_editing_a_point_records_what_changed_and_the_served_villages(client, cast, unit):
    client.force_login(cast["office"])
    post_point(client, unit)
    point = ServicePoint.objects.get()
    page = client.get(f"/services/network/points/{point.pk}/").content.decode()
    assert "编辑网点:松岗村便民服务室" in page and 'value="工作日 9:00-12:00 14:30-17:30"' in page
    assert post_point(client, unit, pk=point.pk, opening_hours="每天 8:30-18:00",
                      villages=[unit("松岗村").pk, unit("直波村").pk, unit("蒲尔玛村").pk]).status_code == 302
    point.refresh_from_db()
    assert point.opening_hours == "每天 8:30-18:00" and point.villages.count() == 3
    change = AuditEntry.objects.for_object(point).order_by("seq").last()
    assert change.action == "update" and change.before["opening_hours"] == "工作日 9:00-12:00 14:30-17:30"
    assert change.data == {"villages": ["松岗村", "蒲尔玛村", "直波村"]}
    post_point(client, unit, pk=point.pk, opening_hours="每天 8:30-18:00", staff_count="3",
               villages=[unit("松岗村").pk, unit("直波村").pk, unit("蒲尔玛村").pk])
    last = AuditEntry.objects.for_object(point).order_by("seq").last()
    assert last.data == {} and (last.before["staff_count"], last.after["staff_count"]) == (2, 3)
    history = client.get(f"/services/network/points/{point.pk}/").content.decode()
    assert "变更历史" in history and "每天 8:30-18:00" in history
    assert ServicePoint.objects.count() == 1


@pytest.mark.parametrize("fields, field, message", [
    ({"lon": "202.5"}, "lon", "经度 202.5 超出范围:应在 73 至 136 之间"),
    ({"lat": "91"}, "lat", "纬度 91 超出范围:应在 3 至 54 之间"),
    ({"lat": ""}, "lat", "经度和纬度须同时填写"),
    ({"villages": ["松岗村", "党坝村"]}, "villages", "党坝村不在本网点所在乡镇(松岗镇)范围内,不能由本网点服务"),
    ({"kind": PointKind.CENTRE}, "unit", "便民服务中心应设在乡镇(街道),松岗村是村级单位"),
    ({"kind": PointKind.CENTRE, "unit": "卓克基镇", "villages": []}, "unit", "卓克基镇已撤并:撤并乡镇保留的网点请登记为便民服务站"),
    ({"name": ""}, "name", "该字段是必填项"),
])
def test_a_bad_point_is_refused_with_the_reason_beside_the_field(client, cast, unit, fields, field, message):
    client.force_login(cast["office"])
    fields = dict(fields)
    if "villages" in fields:
        fields["villages"] = [unit(v).pk for v in fields["villages"]]
    if "unit" in fields:
        fields["at"] = unit(fields.pop("unit")).pk
    answer = post_point(client, unit, **fields)
    assert answer.status_code == 200
    errors = answer.context["form"].errors
    assert any(message in e for e in errors[field]), errors
    assert message in answer.content.decode()
    assert not ServicePoint.objects.exists()


def test_a_station_kept_in_an_abolished_township_serves_villages_of_the_town_that_took_it_over(client, cast, unit):
    client.force_login(cast["office"])
    answer = post_point(client, unit, name="卓克基镇便民服务站(原镇政府)", kind=PointKind.STATION,
                        at=unit("卓克基镇").pk, villages=[unit("查北村").pk])
    assert answer.status_code == 302
    assert ServicePoint.objects.get().villages.get() == unit("查北村")  # 查北村 lies in 马尔康镇, which took over 卓克基镇


def test_a_point_is_deactivated_with_a_reason_and_restored_never_deleted(client, cast, unit):
    client.force_login(cast["office"])
    post_point(client, unit)
    point = ServicePoint.objects.get()
    url = f"/services/network/points/{point.pk}/active/"
    assert "停用网点" in client.get(f"/services/network/points/{point.pk}/").content.decode()
    refused = client.post(url, {"active": "0"}, follow=True).content.decode()
    assert "停用网点须写明原因" in refused
    point.refresh_from_db()
    assert point.is_active
    done = client.post(url, {"active": "0", "reason": "并入松岗镇便民服务中心"}, follow=True).content.decode()
    assert "已停用网点“松岗村便民服务室”" in done and "已停用" in done and "恢复启用" in done
    point.refresh_from_db()
    assert not point.is_active
    entry = AuditEntry.objects.for_object(point).order_by("seq").last()
    assert (entry.action, entry.data, entry.before["is_active"], entry.after["is_active"]) == (
        "point.deactivate", {"reason": "并入松岗镇便民服务中心"}, True, False)
    network = client.get("/services/network/")
    assert "停用" in network.content.decode()
    assert not any(r.served_by for r in network.context["rows"])  # an inactive point covers nobody
    client.post(url, {"active": "1"})
    point.refresh_from_db()
    assert point.is_active
    assert AuditEntry.objects.for_object(point).order_by("seq").last().action == "point.restore"
    assert ServicePoint.objects.count() == 1


def test_only_the_office_keeps_the_network_and_only_inside_its_jurisdiction(client, cast, unit, make_user):
    client.force_login(cast["office"])
    post_point(client, unit)
    point = ServicePoint.objects.get()
    for who in ("agent", "songgang", "minzheng", "analyst"):
        client.force_login(cast[who])
        network = client.get("/services/network/").content.decode()
        assert 'id="new-point"' not in network and f"/services/network/points/{point.pk}/" not in network
        assert client.get("/services/network/points/new/").status_code == 403
        assert client.get(f"/services/network/points/{point.pk}/").status_code == 403
        assert post_point(client, unit, pk=point.pk, name="改名").status_code == 403
        assert client.post(f"/services/network/points/{point.pk}/active/", {"reason": "x"}).status_code == 403
    dangba_office = make_user("office_db", Role.REFORM_OFFICE, unit("党坝乡"))
    client.force_login(dangba_office)
    assert client.get(f"/services/network/points/{point.pk}/").status_code == 404
    assert post_point(client, unit, pk=point.pk, name="改名").status_code == 404
    assert client.post(f"/services/network/points/{point.pk}/active/", {"reason": "x"}).status_code == 404
    outside = post_point(client, unit, name="党坝乡的网点")  # 松岗村 is not among the units offered
    assert outside.status_code == 200 and "unit" in outside.context["form"].errors
    with pytest.raises(CaseError, match="松岗村不在您的管辖范围内"):
        service_network.save_point(dangba_office, ServicePoint(name="x", kind=PointKind.ROOM, unit=unit("松岗村")), [])
    point.refresh_from_db()
    assert (point.name, point.is_active, ServicePoint.objects.count()) == ("松岗村便民服务室", True, 1)


def test_the_api_creates_a_point_under_the_same_rules(cast, unit):
    api = APIClient()
    body = {"name": "直波村便民服务点", "kind": "point", "unit": unit("直波村").pk, "lon": 102.1, "lat": 31.9,
            "villages": [unit("直波村").pk]}
    api.force_authenticate(cast["songgang"])
    assert api.post("/api/v1/service-points/", body, format="json").status_code == 403
    api.force_authenticate(cast["office"])
    bad = api.post("/api/v1/service-points/", {**body, "villages": [unit("党坝村").pk]}, format="json")
    assert bad.status_code == 400 and "党坝村不在本网点所在乡镇(松岗镇)范围内" in bad.json()["message"]
    for huge in ({"unit": 2**70}, {"villages": [2**70]}):  # ids beyond the database's integers: 400, not 500
        assert api.post("/api/v1/service-points/", {**body, **huge}, format="json").status_code == 400
    made = api.post("/api/v1/service-points/", body, format="json")
    assert made.status_code == 201 and made.json()["unit_name"] == "直波村" and made.json()["villages"] == [unit("直波村").pk]
    assert AuditEntry.objects.for_object(ServicePoint.objects.get()).get().actor == cast["office"]


def test_a_refused_point_keeps_every_ticked_village(client, cast, unit):
    client.force_login(cast["office"])
    page = post_point(client, unit, lon="202.5").content.decode()
    for name in ("松岗村", "直波村"):
        assert f'value="{unit(name).pk}" checked> {name}' in page
    assert ServicePoint.objects.count() == 0

"""Zoning schemes: proposal by optimisation, the scheme page and its live figures, moving units (refused
when a zone would fall apart), approval, export, mergers, scope."""
import io

import openpyxl
import pytest
from django.urls import reverse
from shapely.geometry import shape
from shapely.ops import unary_union

from xiangcun.core.models import AuditEntry, Job
from xiangcun.core.roles import Role
from xiangcun.divisions.models import Division, Level
from xiangcun.zones import services
from xiangcun.zones.geometry import current_units, populations, unit_graph
from xiangcun.zones.models import SchemeLevel, SchemeStatus, Zone, ZoneMember, ZoningScheme


@pytest.fixture
def office(make_user, maerkang):
    return make_user("gaigeban", Role.REFORM_OFFICE, maerkang)


def one_piece(units):
    """The members' boundaries form one connected area (independent of the engine's graph)."""
    merged = unary_union([shape(u.geometry).buffer(1e-6) for u in units])
    return merged.geom_type == "Polygon"


def propose(client, county, **extra):
    data = {"county": county.pk, "name": "试算方案", "level": SchemeLevel.VILLAGE, "p": 5, **extra}
    return client.post(reverse("zones:propose"), data)


def test_proposal_by_optimisation_gives_contiguous_zones_within_the_bounds(client, office, county):
    client.force_login(office)
    villages = current_units(county, Level.VILLAGE)
    total = sum(populations(villages).values())
    lo, hi = int(total / 5 * 0.6), int(total / 5 * 1.4)
    r = propose(client, county, min_pop=lo, max_pop=hi)
    assert r.status_code == 302 and "/jobs/" in r.url
    job = Job.objects.get(kind="zoning_proposal")
    assert job.status == "succeeded", job.error
    scheme = ZoningScheme.objects.get(name="试算方案")
    assert scheme.status == SchemeStatus.DRAFT and "优化生成:5个片区" in scheme.note
    zones = list(scheme.zones.all())
    assert len(zones) == 5
    members = [list(z.members.all()) for z in zones]
    assert sorted(u.pk for m in members for u in m) == sorted(v.pk for v in villages)  # every village once
    pops = populations(villages)
    for z, m in zip(zones, members):
        assert z.centre in m
        assert one_piece(m), f"{z.name} is not one piece"
        assert lo <= sum(pops[u.pk] for u in m) <= hi
    assert AuditEntry.objects.filter(action="zones.propose").exists()


def test_an_impossible_proposal_fails_with_a_chinese_reason(client, office, county):
    client.force_login(office)
    propose(client, county, p=4, min_pop=10_000_000)
    job = Job.objects.get(kind="zoning_proposal")
    assert job.status == "failed" and "全部单元的人口合计" in job.error and "低于片区人口下限 10000000" in job.error
    assert not ZoningScheme.objects.exists()  # nothing half-written


def test_the_propose_form_keeps_values_and_names_the_wrong_field(client, office, county):
    client.force_login(office)
    r = propose(client, county, min_pop=5000, max_pop=100)
    assert r.status_code == 400
    page = r.content.decode()
    assert "人口上限 100 小于下限 5000" in page and 'value="5000"' in page


@pytest.fixture
def township_scheme(county):
    units = current_units(county, Level.TOWNSHIP)
    total = sum(populations(units).values())
    return services.propose(None, county, SchemeLevel.TOWNSHIP, 4, name="乡镇级片区", min_pop=int(total / 8))


def test_scheme_page_shows_map_and_live_figures(client, office, county, township_scheme):
    from xiangcun.assets import services as assets

    zone = township_scheme.zones.order_by("id").first()
    town = zone.centre
    village = Division.objects.filter(parent=town, level=Level.VILLAGE, valid_to__isnull=True).first()
    client.force_login(office)
    r = client.get(reverse("zones:scheme", args=[township_scheme.pk]))
    page = r.content.decode()
    assert r.status_code == 200 and 'data-geojson="/zones/' in page and zone.name in page
    row = page[page.index(f'id="zone-{zone.pk}"'):]
    row = row[:row.index("</tr>")]
    assets_before = int(row.split('class="text-end">')[3].split("<")[0])
    assets.create_asset(office, "ZX-1", name="旧村委会", category="village_hall", holder=village)
    page = client.get(reverse("zones:scheme", args=[township_scheme.pk])).content.decode()
    row = page[page.index(f'id="zone-{zone.pk}"'):]
    row = row[:row.index("</tr>")]
    assert int(row.split('class="text-end">')[3].split("<")[0]) == assets_before + 1
    gj = client.get(reverse("zones:geojson", args=[township_scheme.pk])).json()
    assert {f["properties"]["zone"] for f in gj["features"]} == set(township_scheme.zones.values_list("pk", flat=True))


def find_moves(scheme):
    """(unit, zone) a move the engine must refuse (the unit does not touch the zone) and one it must allow
    (a border unit whose zone stays one piece without it), found from the boundaries themselves."""
    rows, graph = services.scheme_units(scheme)
    zone_of = {m.unit_id: m.zone for m in rows}
    idx = graph.index()
    nbrs = {i: set() for i in range(len(rows))}
    for a, b in graph.edges:
        nbrs[a].add(b)
        nbrs[b].add(a)
    refused = allowed = None
    for m in rows:
        if m.zone.centre_id == m.unit_id:
            continue
        for z in scheme.zones.exclude(pk=m.zone_id):
            touches = any(zone_of[rows[j].unit_id] == z for j in nbrs[idx[m.unit_id]])
            rest = [x.unit for x in rows if x.zone_id == m.zone_id and x.unit_id != m.unit_id]
            if not touches and refused is None:
                refused = (m.unit, z)
            if touches and one_piece(rest) and allowed is None:
                allowed = (m.unit, z)
    assert refused and allowed
    return refused, allowed


def test_moving_a_unit_keeps_zones_contiguous(client, office, county, township_scheme):
    client.force_login(office)
    url = reverse("zones:move", args=[township_scheme.pk])
    refused, allowed = find_moves(township_scheme)
    r = client.post(url, {"unit": refused[0].pk, "zone": refused[1].pk})
    assert r.status_code == 400
    assert f"{refused[0].name}与目标片区" in r.content.decode() and "不相邻" in r.content.decode()
    assert ZoneMember.objects.get(scheme=township_scheme, unit=refused[0]).zone_id != refused[1].pk
    r = client.post(url, {"unit": allowed[0].pk, "zone": allowed[1].pk})
    assert r.status_code == 302
    assert ZoneMember.objects.get(scheme=township_scheme, unit=allowed[0]).zone_id == allowed[1].pk
    assert AuditEntry.objects.filter(action="zones.move").count() == 1
    for z in township_scheme.zones.all():
        assert one_piece(list(z.members.all()))


def test_an_approved_scheme_needs_its_document_and_refuses_moves(client, office, county, township_scheme):
    client.force_login(office)
    url = reverse("zones:scheme", args=[township_scheme.pk])
    data = {"name": township_scheme.name, "status": SchemeStatus.APPROVED, "document": "", "date": "2024-05-01",
            "note": ""}
    r = client.post(url, data)
    assert r.status_code == 400 and "已批复的方案须填写批复文号" in r.content.decode()
    r = client.post(url, {**data, "document": "马府函〔2024〕12号"})
    assert r.status_code == 302
    township_scheme.refresh_from_db()
    assert township_scheme.status == SchemeStatus.APPROVED
    member = ZoneMember.objects.filter(scheme=township_scheme).exclude(unit_id__in=Zone.objects.values("centre")).first()
    other = township_scheme.zones.exclude(pk=member.zone_id).first()
    r = client.post(reverse("zones:move", args=[township_scheme.pk]), {"unit": member.unit_id, "zone": other.pk})
    assert r.status_code == 400 and "已批复(马府函〔2024〕12号),不能再调整" in r.content.decode()


def test_export_lists_every_zone_with_its_figures(client, office, county, township_scheme):
    client.force_login(office)
    r = client.get(reverse("zones:export", args=[township_scheme.pk]))
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("片区", "类型", "中心") and len(rows) == 1 + 4
    units = current_units(county, Level.TOWNSHIP)
    assert sum(row[5] for row in rows[1:]) == sum(populations(units).values())


def test_a_township_user_sees_the_county_scheme_a_user_elsewhere_does_not(client, make_user, county, unit,
                                                                         township_scheme):
    songgang = make_user("sg", Role.TOWNSHIP, unit("松岗镇"))
    client.force_login(songgang)
    assert client.get(reverse("zones:scheme", args=[township_scheme.pk])).status_code == 200
    assert client.post(reverse("zones:move", args=[township_scheme.pk]), {}).status_code == 403
    other = Division.objects.create(name="别县", level=Level.COUNTY, kind="county", path="9999")
    stranger = make_user("x", Role.REFORM_OFFICE, other)
    client.force_login(stranger)
    assert client.get(reverse("zones:scheme", args=[township_scheme.pk])).status_code == 404
    assert client.get(reverse("zones:list")).content.decode().count("乡镇级片区</a>") == 0


def test_a_unit_without_boundary_or_point_is_named(county):
    units = current_units(county, Level.TOWNSHIP)
    Division.objects.filter(pk=units[2].pk).update(lon=None, lat=None, geometry=None)
    with pytest.raises(services.ZoneError, match=f"没有边界也没有坐标,无法判断相邻关系:{units[2].name}"):
        unit_graph(current_units(county, Level.TOWNSHIP))


def test_a_merged_village_hands_its_place_to_its_successor(county, unit):
    import datetime as dt

    from xiangcun.divisions import services as registry

    villages = list(Division.objects.filter(parent=unit("松岗镇"), level=Level.VILLAGE, valid_to__isnull=True)
                    .order_by("code"))[:3]
    scheme = services.create_scheme(None, county, "村级", SchemeLevel.VILLAGE, [(villages[0], villages[:2]),
                                                                             (villages[2], villages[2:3])])
    registry.merge([villages[2]], dt.date.today(), into=villages[1], document="测试")
    # the closed village's place passes to its successor, already in the first zone; its own zone ends
    assert list(scheme.zones.values_list("centre", flat=True)) == [villages[0].pk]
    assert set(ZoneMember.objects.filter(scheme=scheme).values_list("unit_id", flat=True)) == {v.pk for v in villages[:2]}
    assert AuditEntry.objects.filter(action="zones.follow").count() == 1


def test_a_merged_village_outside_the_scheme_brings_its_successor_in(county, unit):
    import datetime as dt

    from xiangcun.divisions import services as registry

    villages = list(Division.objects.filter(parent=unit("松岗镇"), level=Level.VILLAGE, valid_to__isnull=True)
                    .order_by("code"))[:3]
    scheme = services.create_scheme(None, county, "村级", SchemeLevel.VILLAGE, [(villages[0], villages[:2])])
    registry.merge([villages[1]], dt.date.today(), into=villages[2], document="测试")
    assert set(ZoneMember.objects.filter(scheme=scheme).values_list("unit_id", flat=True)) == {villages[0].pk,
                                                                                             villages[2].pk}

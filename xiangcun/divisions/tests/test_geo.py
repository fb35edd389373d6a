"""Unit geometry: generated demo polygons, GeoJSON import, the scoped feature collection."""
import json

import pytest
from django.urls import reverse
from shapely.geometry import shape

from xiangcun.accounts.models import Role
from xiangcun.divisions import geo
from xiangcun.divisions.models import Division


@pytest.fixture
def mapped(maerkang):
    geo.generate_demo_geometry(maerkang)
    return maerkang


def test_every_current_village_and_township_gets_a_polygon_and_a_point(mapped):
    units = Division.objects.subtree(mapped).current().filter(level__in=(4, 5))
    assert units.count() == 13 + 97
    for d in units:
        assert d.geometry and shape(d.geometry).is_valid
        assert shape(d.geometry).buffer(1e-6).contains(shape({"type": "Point", "coordinates": [d.lon, d.lat]}))


def test_a_merged_village_is_covered_by_its_successor(mapped, unit):
    successor, merged = unit("党坝村"), unit("剑北村")
    assert shape(successor.geometry).buffer(1e-4).contains(shape(merged.geometry))


def test_geojson_import_matches_codes_and_refuses_bad_features_whole(mapped, unit):
    square = {"type": "Polygon", "coordinates": [[[102, 31], [102.1, 31], [102.1, 31.1], [102, 31.1], [102, 31]]]}
    good = {"type": "Feature", "properties": {"code": unit("松岗村").code}, "geometry": square}
    bad = {"type": "Feature", "properties": {"code": "513201999999"}, "geometry": square}
    broken = {"type": "Feature", "properties": {"code": unit("直波村").code}, "geometry": {"type": "Polygon", "coordinates": []}}
    before = unit("松岗村").geometry
    with pytest.raises(geo.GeoError) as exc:
        geo.import_geojson(json.dumps({"type": "FeatureCollection", "features": [good, bad, broken]}), Division.objects.all())
    assert "第 2 个要素" in str(exc.value) and "513201999999" in str(exc.value) and "第 3 个要素" in str(exc.value)
    assert unit("松岗村").geometry == before
    assert geo.import_geojson(json.dumps({"type": "FeatureCollection", "features": [good]}), Division.objects.all()) == {"updated": 1}
    assert unit("松岗村").geometry["coordinates"][0][0] == [102.0, 31.0]
    assert abs(unit("松岗村").lon - 102.05) < 0.05


def test_the_feature_collection_is_scoped(client, mapped, unit, make_user):
    client.force_login(make_user("sg", Role.TOWNSHIP, unit("松岗镇")))
    data = client.get(reverse("divisions:geojson"), {"level": 5}).json()
    names = {f["properties"]["name"] for f in data["features"]}
    assert "松岗村" in names and "党坝村" not in names
    assert client.get(reverse("divisions:geojson"), {"level": 9}).status_code == 400
    assert "division-map" in client.get(reverse("divisions:map")).content.decode()

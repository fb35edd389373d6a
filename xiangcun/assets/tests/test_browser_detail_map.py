"""An asset's map shows where it is: the villages of its township, its own village outlined, not a lone dot on grey."""
import os
from decimal import Decimal

import pytest

from conftest import page, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser]

LAYERS = """async (el) => {
  const { map, layer } = await window.xcMap.ready(el);
  await new Promise(r => setTimeout(r, 200));
  const shapes = layer.getLayers();
  const focus = shapes.filter(l => l.options.color === '#c8102e');
  return { names: shapes.map(l => l.feature.properties.name), focus: focus.map(l => l.feature.properties.name),
           focusInView: focus.length === 1 && map.getBounds().intersects(focus[0].getBounds()),
           note: !!el.querySelector('.map-note, .map-empty') };
}"""


@pytest.mark.django_db(transaction=True)
def test_asset_detail_map_outlines_its_village_within_its_township(page, maerkang, unit, cast, tmp_path):  # noqa: F811
    from xiangcun.assets import services
    from xiangcun.divisions import geo
    from xiangcun.divisions.models import Division
    from xiangcun.divisions.scoping import area_q

    geo.generate_demo_geometry(maerkang)
    village = unit("松岗村")
    asset = services.create_asset(cast["caizheng"], "MAP-1", name="松岗村旧村委会", category="village_hall", holder=village,
                                  floor_area=Decimal("300"), lon=village.lon, lat=village.lat)
    sign_in(page, "office")
    page.goto(page.base + f"/assets/{asset.pk}/")
    el = page.wait_for_selector("#asset-map")
    found = page.evaluate(LAYERS, el)
    page.screenshot(path=f"{os.environ.get('XC_SHOTS') or tmp_path}/asset_detail_map.png", full_page=True)
    township_villages = set(Division.objects.current().filter(area_q(unit("松岗镇")), level=5).values_list("name", flat=True))
    assert set(found["names"]) == township_villages and len(township_villages) > 1
    assert found["focus"] == ["松岗村"] and found["focusInView"] and not found["note"]


@pytest.mark.django_db
def test_geojson_within_a_unit_lists_only_its_area_and_refuses_one_out_of_scope(client, maerkang, unit, make_user):
    from xiangcun.accounts.models import Role
    from xiangcun.divisions import geo

    geo.generate_demo_geometry(maerkang)
    client.force_login(make_user("sg", Role.TOWNSHIP, unit("松岗镇")))
    names = {f["properties"]["name"] for f in client.get("/divisions/geojson/", {"level": 5, "within": unit("松岗镇").pk}).json()["features"]}
    assert "松岗村" in names and "党坝村" not in names
    assert client.get("/divisions/geojson/", {"level": 5, "within": unit("党坝乡").pk}).status_code == 404
    assert client.get("/divisions/geojson/", {"level": 5, "within": "x"}).status_code == 400

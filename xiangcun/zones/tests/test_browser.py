"""A zoning scheme in headless Chromium: the map with its zones, picking a unit on the map, a move refused
for contiguity (its reason shown) and one carried out."""
import pytest

from conftest import sign_in
from xiangcun.core.roles import Role
from xiangcun.divisions.models import Level
from xiangcun.zones import services
from xiangcun.zones.geometry import current_units, populations
from xiangcun.zones.models import SchemeLevel, ZoneMember

from .test_zones import find_moves

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_office_opens_a_scheme_and_moves_units(page, county, make_user, tmp_path):
    make_user("office", Role.REFORM_OFFICE, county)
    units = current_units(county, Level.TOWNSHIP)
    total = sum(populations(units).values())
    scheme = services.propose(None, county, SchemeLevel.TOWNSHIP, 4, name="乡镇级片区", min_pop=int(total / 8))
    refused, allowed = find_moves(scheme)
    sign_in(page, "office")
    page.click(".sidebar >> text=片区划分方案")
    page.click("table >> text=乡镇级片区")
    page.wait_for_selector("#zone-map path.leaflet-interactive")
    # every township filled with its zone's colour, and the 4 centres marked on top
    page.wait_for_selector("#zone-map path[fill='#ffd700']")
    assert page.locator("#zone-map path[fill='#ffd700']").count() == 4
    assert page.locator("#zone-map path.leaflet-interactive").count() == len(units) + 4
    colours = {page.locator("#zone-map path.leaflet-interactive").nth(i).get_attribute("fill")
               for i in range(len(units))}
    assert len(colours) == 4
    page.screenshot(path=str(tmp_path / "scheme.png"), full_page=True)
    # a click on a unit of the map picks it in the move form
    page.locator("#zone-map path.leaflet-interactive").first.click(force=True)
    assert page.input_value("#move-form select[name=unit]") != ""
    page.select_option("#move-form select[name=unit]", str(refused[0].pk))
    page.select_option("#move-form select[name=zone]", str(refused[1].pk))
    page.click("#move-form button")
    page.wait_for_selector("#move-error")
    assert f"{refused[0].name}与目标片区" in page.inner_text("#move-error")
    page.wait_for_selector("#zone-map path.leaflet-interactive")
    page.screenshot(path=str(tmp_path / "refused.png"), full_page=True)
    page.select_option("#move-form select[name=unit]", str(allowed[0].pk))
    page.select_option("#move-form select[name=zone]", str(allowed[1].pk))
    page.click("#move-form button")
    page.wait_for_selector(f"text=已将{allowed[0].name}调入{allowed[1].name}")
    assert allowed[0].name in page.inner_text(f"#zone-{allowed[1].pk}")
    assert ZoneMember.objects.get(scheme=scheme, unit=allowed[0]).zone_id == allowed[1].pk
    page.wait_for_selector("#zone-map path.leaflet-interactive")
    page.screenshot(path=str(tmp_path / "moved.png"), full_page=True)

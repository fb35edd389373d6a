"""`xiangcun demo` without ../shared/data/nbs (what `make run` does on a machine without it): a
generated county of 马尔康's shape, with a map, and every module's demo records on top of it."""
import io

import pytest
from django.core.management import call_command
from shapely.geometry import MultiPoint, Point, Polygon, shape

from xiangcun.assets.models import Asset
from xiangcun.divisions import geo
from xiangcun.divisions.models import Division, Kind, Level
from xiangcun.facilities.models import Facility
from xiangcun.indicators.models import DataValue
from xiangcun.services.models import Case


@pytest.mark.django_db
def test_demo_without_nbs_data_generates_a_county_and_every_module_loads_on_it(settings, tmp_path, client):
    settings.NBS_DIR = tmp_path / "no-nbs-here"
    out = io.StringIO()
    call_command("demo", stdout=out)
    printed = out.getvalue()
    assert "改用生成的示例县" in printed and "演示账号" in printed

    county = Division.objects.get(name="示例县")
    current = Division.objects.subtree(county).current()
    townships = current.filter(level=Level.TOWNSHIP)
    villages = current.filter(level=Level.VILLAGE)
    assert townships.count() == 13  # 14, one merged on 2020-06-30
    assert villages.count() > 80
    assert current.filter(kind=Kind.VILLAGER_GROUP).count() > 3 * villages.count()
    # the map: every current township and village has a polygon with its point inside
    for d in current.filter(level__in=(Level.TOWNSHIP, Level.VILLAGE)):
        assert d.geometry and not shape(d.geometry).is_empty, d.name
        assert shape(d.geometry).buffer(1e-6).contains(Point(d.lon, d.lat)), d.name

    # the other modules load after the divisions, onto the generated county
    def counts():
        return (Division.objects.count(), Asset.objects.count(), Case.objects.count(),
                Facility.objects.filter(unit__path__startswith=county.path).count(),
                DataValue.objects.filter(unit__path__startswith=county.path).count())

    def village_forms():  # the indicators module's own demo values, not only those mirrored from the asset ledger
        return DataValue.objects.filter(unit__path__startswith=county.path, element__code="POP").count()

    loaded, forms = counts(), village_forms()
    assert all(loaded)

    rerun = io.StringIO()
    call_command("demo", stdout=rerun)
    later_lines = rerun.getvalue().splitlines()[1:]  # the first says the generated county is used
    assert not [line for line in later_lines if "生成" in line]  # nothing generated twice
    assert counts() == loaded and village_forms() == forms

    assert forms

def test_generated_villages_beyond_the_outline_are_drawn_back_inside():
    outline = Polygon([(-1, -1), (1, -1), (1, 1), (-1, 1)])
    valley = {k: (0.3 * k, 0.1 * k) for k in range(1, 10)}  # runs out to x = 2.7
    inside = geo._within(valley, outline, 0.0, 0.0)
    assert all(outline.contains(p) for p in inside.values())
    assert len(MultiPoint(list(inside.values())).geoms) == 9 and len({(p.x, p.y) for p in inside.values()}) == 9
    assert [p.x for p in inside.values()] == sorted(p.x for p in inside.values())  # still in order along the valley
    near = {1: (0.5, 0.5)}
    assert geo._within(near, outline, 0.0, 0.0)[1].equals(Point(0.5, 0.5))  # points inside stay put

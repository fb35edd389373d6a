"""The demo's zoning of 马尔康: 4 township-level zones, each one piece, every township once; its designations and
plan register; a rerun adds nothing."""
import datetime as dt

from shapely.geometry import shape
from shapely.ops import unary_union

from xiangcun.divisions.models import Level
from xiangcun.zones import demo
from xiangcun.zones.geometry import current_units
from xiangcun.zones.models import ZoningScheme


def test_demo_zoning_of_maerkang(county):
    logged = []
    demo.load_module(county, log=logged.append)
    demo.load_module(county, log=logged.append)
    assert len(logged) == 3 and "4 个片区" in logged[0] and "登记村镇分类" in logged[1]  # the rerun logs nothing
    assert "违法用地图斑" in logged[2]
    scheme = ZoningScheme.objects.get()
    assert scheme.name == "马尔康市乡镇级片区划分方案(草案)"
    townships = current_units(county, Level.TOWNSHIP)
    members = [list(z.members.all()) for z in scheme.zones.all()]
    assert len(members) == 4 and sorted(u.pk for m in members for u in m) == sorted(t.pk for t in townships)
    for m in members:
        assert unary_union([shape(u.geometry).buffer(1e-6) for u in m]).geom_type == "Polygon"


def test_demo_designations_and_plan_register(county):
    from xiangcun.zones import plans
    from xiangcun.zones.models import Designation, Plan, PlanStage

    logged = []
    demo.load_plans(county, log=logged.append)
    demo.load_plans(county, log=logged.append)
    assert len(logged) == 1 and "登记村镇分类" in logged[0]
    townships = current_units(county, Level.TOWNSHIP)
    current = plans.current_designations(townships)
    assert len(current) == len(townships)
    assert Designation.objects.count() > len(townships)  # villages of two townships too
    rows = plans.coverage(None, county)
    rates = [r["rate"] for r in rows if r["villages"]]
    assert any(0 < r < 100 for r in rates) and 0 in rates  # partial coverage somewhere, none elsewhere
    assert Plan.objects.filter(stage=PlanStage.APPROVED).exists()
    assert any(p.is_overdue(dt.date.today()) for p in Plan.objects.all())


def test_demo_farmland_of_maerkang(county):
    from xiangcun.zones import farmland
    from xiangcun.zones.models import Patch, PatchStatus

    logged = []
    demo.load_farmland(county, log=logged.append)
    demo.load_farmland(county, log=logged.append)
    assert len(logged) == 1 and "违法用地图斑 10 个" in logged[0]
    data = farmland.township_rows(None, county, dt.date.today().year)
    assert data["green"] >= 3 and data["red"] >= 1 and data["cultivated_rate"] is not None
    statuses = set(Patch.objects.values_list("status", flat=True))
    assert statuses == set(PatchStatus.values)
    assert sum(p.is_overdue(dt.date.today()) for p in Patch.objects.all()) >= 2
    assert Patch.objects.exclude(geometry=None).exists() and not Patch.objects.filter(lon=None).exists()

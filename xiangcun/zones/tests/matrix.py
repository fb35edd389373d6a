"""The permission matrix's data for the zones module (see core/tests/test_matrix.py)."""
from xiangcun.core.tests.matrix import Case, made_once

CASES = {
    "zones:scheme": Case(obj="zone_scheme"),
    "zones:geojson": Case(obj="zone_scheme"),
    "zones:export": Case(obj="zone_scheme"),
    # an empty move form is refused on the page itself (400)
    "zones:move": Case(obj="zone_scheme", method="post", ok=400),
    "zones:plan": Case(obj="zone_plan"),
    "zones-scheme-detail": Case(obj="zone_scheme"),
    "zones-plan-detail": Case(obj="zone_plan"),
    "zones-designation-detail": Case(obj="zone_designation"),
    "zones:patch": Case(obj="zone_patch"),
    "zones:patch_evidence": Case(obj="zone_patch"),
    "zones-patch-detail": Case(obj="zone_patch"),
    "zones-farmland-detail": Case(obj="zone_farmland"),
}


def _objects(users, unit):
    """A village-level scheme of 马尔康市 in 松岗镇 (zone around 松岗村) and one in 党坝乡 (around 党坝村); a village
    plan, a designation and a 图斑 (with an evidence file) of each centre village; each township's farmland figures."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from xiangcun.divisions.models import Division, Level

    from .. import services
    from ..models import Designation, FarmlandTarget, Patch, PatchKind, Plan, PlanKind, SchemeLevel, VillageType

    out = {"zone_scheme": {}, "zone_plan": {}, "zone_designation": {}, "zone_patch": {}, "zone_farmland": {}}
    for label, village, township in (("sg", "松岗村", "松岗镇"), ("db", "党坝村", "党坝乡")):
        centre = unit(village)
        others = list(Division.objects.filter(parent=unit(township), level=Level.VILLAGE, valid_to__isnull=True)
                      .exclude(pk=centre.pk).order_by("code")[:2])
        scheme = services.create_scheme(users["office"], centre.parent.parent, f"{township}村级片区", SchemeLevel.VILLAGE,
                                        [(centre, [centre, *others])])
        out["zone_scheme"][label] = scheme.pk
        out["zone_plan"][label] = Plan.objects.create(kind=PlanKind.VILLAGE, name=f"{village}实用性村庄规划",
                                                      unit=centre).pk
        out["zone_designation"][label] = Designation.objects.create(
            unit=centre, category=VillageType.CLUSTER,
            valid_from=dt.date(2021, 1, 1)).pk
        patch = Patch(number=f"矩阵-{label}", unit=centre, kind=PatchKind.OCCUPATION, area=1, lon=102.2, lat=31.9,
                      found_on=dt.date(2025, 1, 1), deadline=dt.date(2025, 6, 30), evidence_name="a.pdf")
        patch.evidence.save("a.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        patch.save()
        out["zone_patch"][label] = patch.pk
        out["zone_farmland"][label] = FarmlandTarget.objects.create(unit=unit(township), year=2025,
                                                                    cultivated_target=100, cultivated_actual=90).pk
    return out


_kind = made_once(_objects)

OBJECTS = {"zone_scheme": ("area", _kind("zone_scheme")), "zone_plan": ("area", _kind("zone_plan")),
           "zone_designation": ("area", _kind("zone_designation")), "zone_patch": ("area", _kind("zone_patch")),
           # a township's figures: the county and the township itself (a village agent sees only its village's)
           "zone_farmland": ({"admin": {"sg", "db"}, "office": {"sg", "db"}, "minzheng": {"sg", "db"},
                              "caizheng": {"sg", "db"}, "analyst": {"sg", "db"}, "songgang": {"sg"}, "dangba": {"db"},
                              "agent": set()}, _kind("zone_farmland"))}

"""The permission matrix's data for the facilities module (see core/tests/test_matrix.py): what each URL is
called with and what a permitted user gets (`Case`), and the objects of its own kinds (`OBJECTS`)."""
from xiangcun.core.tests.matrix import Case

CASES = {
    "facilities:detail": Case(obj="facility"),
    "facilities:edit": Case(obj="facility"),
    "facilities:grades": Case(obj="facility", method="post", ok=302),
    "facilities:demand_entry": Case(obj="village", kwargs={"year": 2022}),
    "facilities:candidate_new": Case(method="post", ok=400),  # empty: refused on the page
    "facilities:candidate_assets": Case(method="post", ok=302),
    "facilities:scenario": Case(obj="facility_scenario"),
    "facilities:scenario_edit": Case(obj="facility_scenario"),
    "facilities:scenario_run": Case(obj="facility_scenario", method="post", ok=302),
    "facilities:scenario_adopt": Case(obj="facility_scenario", method="post", ok=302),
    "facilities:scenario_export": Case(obj="facility_scenario"),
    "facilities:scenario_print": Case(obj="facility_scenario"),
    # REST API
    "facility-detail": Case(obj="facility"),
}


def _facilities(users, unit):
    """Elderly-care facilities, so the 民政 department user of the matrix may also edit them."""
    from ..models import Facility

    out = {}
    for label, village in (("sg", "松岗村"), ("db", "党坝村")):
        f = Facility.objects.create(unit=unit(village), name=f"{village}互助养老点", type="village_point", beds=10, occupancy=6)
        out[label] = f.pk
    return out


def _scenarios(users, unit):
    """Solved scenarios for each township (tiny, with hand-made results)."""
    from ..models import RunStatus, Scenario, ScenarioRun

    out = {}
    for label, township in (("sg", "松岗镇"), ("db", "党坝乡")):
        s = Scenario.objects.create(name=f"{township}方案", service="elderly", scope=unit(township), model="consolidate",
                                    year=2022, params={}, owner=users["office"])
        ScenarioRun.objects.create(scenario=s, version=1, status=RunStatus.SOLVED, result=_EMPTY_RESULT)
        out[label] = s.pk
    return out


_EMPTY_RESULT = {
    "service": "elderly", "service_label": "机构养老", "cohort_label": "65岁及以上", "model": "consolidate",
    "model_label": "撤并整合", "limit": 45, "max_travel": 45, "reach": 45, "capacity_kind": "beds", "factor": 0.04,
    "solver": {"status": "optimal", "gap": 0, "objective": 0, "lower_bound": 0, "seconds": 0},
    "sites": [], "villages": [],
    "headline": {k: {"average": 0, "worst": 0, "share": 1, "share_t": 1, "open": 0, "idle": 0, "class_shortage": 0, "over": 0}
                 for k in ("before", "after")},
}

OBJECTS = {
    "facility": ("area", _facilities),
    # a scenario of a township: its staff and the county; village agents do not read plans
    "facility_scenario": ({"admin": {"sg", "db"}, "office": {"sg", "db"}, "minzheng": {"sg", "db"},
                           "caizheng": {"sg", "db"}, "analyst": {"sg", "db"}, "songgang": {"sg"}, "dangba": {"db"},
                           "agent": set()}, _scenarios),
}

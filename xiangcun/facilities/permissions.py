"""What each role may do in the facilities module, and its URLs.

Everyone reads the facility ledger of their jurisdiction. Diagnosis, demand and scenarios are read by
everyone but village agents. Planning (facilities, travel, candidate sites, rules, scenarios) belongs to
administrators, the reform office and the 教育/卫健/民政 departments (each its own facility family);
township staff also enter the population of their villages.
"""
from xiangcun.core.access import Access

from .services import families_of, may_enter_demand, may_plan, may_read, may_read_plans


def may_edit_some(user) -> bool:
    return bool(families_of(user))


def may_edit_schools(user) -> bool:
    return "school" in families_of(user)


URLS = {
    "facilities:home": Access(allowed=may_read_plans),
    "facilities:list": Access(allowed=may_read),
    "facilities:export": Access(allowed=may_read),
    "facilities:import": Access(allowed=may_edit_some),
    "facilities:grade_import": Access(allowed=may_edit_schools),
    "facilities:grade_export": Access(allowed=may_read),
    "facilities:new": Access(allowed=may_edit_some),
    "facilities:detail": Access(allowed=may_read, obj="facility"),
    "facilities:edit": Access(allowed=may_edit_some, obj="facility"),
    "facilities:grades": Access(allowed=may_edit_some, obj="facility", method="post", ok=302),
    "facilities:demand": Access(allowed=may_read_plans),
    "facilities:demand_export": Access(allowed=may_read_plans),
    "facilities:demand_import": Access(allowed=may_enter_demand),
    "facilities:demand_entry": Access(allowed=may_enter_demand, obj="village", kwargs={"year": 2022}),
    "facilities:travel": Access(allowed=may_read_plans),
    "facilities:roads": Access(allowed=may_read_plans),
    "facilities:candidate_new": Access(allowed=may_plan, method="post", ok=302),
    "facilities:candidate_assets": Access(allowed=may_plan, method="post", ok=302),
    "facilities:rules": Access(allowed=may_read_plans),
    "facilities:scenarios": Access(allowed=may_read_plans),
    "facilities:scenario_new": Access(allowed=may_plan),
    "facilities:compare": Access(allowed=may_read_plans),
    "facilities:scenario": Access(allowed=may_read_plans, obj="facility_scenario"),
    "facilities:scenario_edit": Access(allowed=may_plan, obj="facility_scenario"),
    "facilities:scenario_run": Access(allowed=may_plan, obj="facility_scenario", method="post", ok=302),
    "facilities:scenario_adopt": Access(allowed=may_plan, obj="facility_scenario", method="post", ok=302),
    "facilities:scenario_export": Access(allowed=may_read_plans, obj="facility_scenario"),
    "facilities:scenario_print": Access(allowed=may_read_plans, obj="facility_scenario"),
    # REST API
    "facility-list": Access(allowed=may_read),
    "facility-detail": Access(allowed=may_read, obj="facility"),
}


def _facilities(users, unit):
    """Elderly-care facilities, so the 民政 department user of the matrix may also edit them."""
    from .models import Facility

    out = {}
    for label, village in (("sg", "松岗村"), ("db", "党坝村")):
        f = Facility.objects.create(unit=unit(village), name=f"{village}互助养老点", type="village_point", beds=10, occupancy=6)
        out[label] = f.pk
    return out


def _scenarios(users, unit):
    """Solved scenarios for each township (tiny, with hand-made results)."""
    from .models import RunStatus, Scenario, ScenarioRun

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

MATRIX_OBJECTS = {
    "facility": ("area", _facilities),
    # a scenario of a township: its staff and the county; village agents do not read plans
    "facility_scenario": ({"admin": {"sg", "db"}, "office": {"sg", "db"}, "minzheng": {"sg", "db"},
                           "caizheng": {"sg", "db"}, "analyst": {"sg", "db"}, "songgang": {"sg"}, "dangba": {"db"},
                           "agent": set()}, _scenarios),
}

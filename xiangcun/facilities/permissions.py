"""What each role may do in the facilities module, and its URLs.

Everyone reads the facility ledger of their jurisdiction. Diagnosis, demand and scenarios are read by
everyone but village agents. Planning (facilities, travel, candidate sites, rules, scenarios) belongs to
administrators, the reform office and the 教育/卫健/民政 departments (each its own facility family);
township staff also enter the population of their villages.
"""
from xiangcun.core.access import Access

from .models import FAMILY_OF, Family

DEPARTMENT_FAMILY = {"教育": Family.SCHOOL, "卫健": Family.HEALTH, "民政": Family.ELDERLY}


def _role(user):
    return getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None


def may_read(user) -> bool:
    """Everyone signed in reads facilities in their jurisdiction (village agents: their village)."""
    return bool(_role(user)) or getattr(user, "is_superuser", False)


def may_plan(user) -> bool:
    """Planning belongs to the county: administrators, the reform office and 教育/卫健/民政 staff."""
    from xiangcun.accounts.models import Role

    role = _role(user)
    if not role:
        return False
    return user.is_administrator or role == Role.REFORM_OFFICE or (
        role == Role.DEPARTMENT and user.department in DEPARTMENT_FAMILY)


def may_read_plans(user) -> bool:
    from xiangcun.accounts.models import Role

    return bool(_role(user)) and user.role != Role.VILLAGE_AGENT


def may_enter_demand(user) -> bool:
    """Population by cohort: planners and township staff (for their villages)."""
    from xiangcun.accounts.models import Role

    return may_plan(user) or _role(user) == Role.TOWNSHIP


def families_of(user) -> set[str]:
    """The facility families a planner may change: a department its own, the office and admins all."""
    from xiangcun.accounts.models import Role

    if not may_plan(user):
        return set()
    if user.role == Role.DEPARTMENT and not user.is_administrator:
        return {DEPARTMENT_FAMILY[user.department]}
    return set(Family.values)


def may_edit_facility(user, facility_type: str) -> bool:
    """A facility of this type: the planner's own families (checked in the view on the facility itself)."""
    return FAMILY_OF.get(facility_type) in families_of(user)


def may_edit_some(user) -> bool:
    return bool(families_of(user))


def may_edit_schools(user) -> bool:
    return Family.SCHOOL in families_of(user)


MAINTAIN = "您的角色不能维护设施"


URLS = {
    "facilities:home": Access(allowed=may_read_plans),
    "facilities:list": Access(allowed=may_read),
    "facilities:export": Access(allowed=may_read),
    "facilities:import": Access(allowed=may_edit_some, denied="您的角色不能导入设施"),
    "facilities:grade_import": Access(allowed=may_edit_schools, denied="只有教育部门和改革办可导入在校生"),
    "facilities:grade_export": Access(allowed=may_read),
    "facilities:new": Access(allowed=may_edit_some, denied=MAINTAIN),
    "facilities:detail": Access(allowed=may_read),
    "facilities:edit": Access(allowed=may_edit_some, denied=MAINTAIN),
    "facilities:grades": Access(allowed=may_edit_some, denied=MAINTAIN),
    "facilities:demand": Access(allowed=may_read_plans),
    "facilities:demand_export": Access(allowed=may_read_plans),
    "facilities:demand_import": Access(allowed=may_enter_demand, denied="您的角色不能填报人口"),
    "facilities:demand_entry": Access(allowed=may_enter_demand),
    "facilities:travel": Access(allowed=may_read_plans, write=may_plan, denied="只有县级规划人员可修改出行测算设置"),
    "facilities:roads": Access(allowed=may_read_plans),
    "facilities:candidate_new": Access(allowed=may_plan),
    "facilities:candidate_assets": Access(allowed=may_plan),
    "facilities:rules": Access(allowed=may_read_plans, write=may_plan),
    "facilities:scenarios": Access(allowed=may_read_plans),
    "facilities:scenario_new": Access(allowed=may_plan),
    "facilities:compare": Access(allowed=may_read_plans),
    "facilities:scenario": Access(allowed=may_read_plans),
    "facilities:scenario_edit": Access(allowed=may_plan),
    "facilities:scenario_run": Access(allowed=may_plan),
    "facilities:scenario_adopt": Access(allowed=may_plan),
    "facilities:scenario_export": Access(allowed=may_read_plans),
    "facilities:scenario_print": Access(allowed=may_read_plans),
    # REST API
    "facility-list": Access(allowed=may_read),
    "facility-detail": Access(allowed=may_read),
}

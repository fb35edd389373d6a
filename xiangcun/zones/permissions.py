"""Who may do what in the zones module: the reform office and administrators edit schemes (create,
propose by optimisation, move units, approve); everyone whose scope holds the county or a unit of a
scheme reads it. Village types (村镇分类) and the plan register: the same editors record, everyone reads
what lies in their scope."""
from xiangcun.core.access import Access


def may_edit(user) -> bool:
    from xiangcun.accounts.models import Role

    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_administrator or user.role == Role.REFORM_OFFICE


editors = may_edit
DENIED = "只有两项改革办和系统管理员可以编制片区方案"
DENIED_PLANS = "只有两项改革办和系统管理员可以登记村镇分类和规划"

URLS = {
    "zones:list": Access(),
    "zones:propose": Access(allowed=editors, denied=DENIED),
    "zones:scheme": Access(write=editors, denied=DENIED),
    "zones:geojson": Access(),
    "zones:move": Access(allowed=editors, denied=DENIED),
    "zones:export": Access(),
    # village types and the plan register: everyone reads their scope's; the office and administrators record
    "zones:designations": Access(write=editors, denied=DENIED_PLANS),
    "zones:designations_export": Access(),
    "zones:plans": Access(write=editors, denied=DENIED_PLANS),
    "zones:plans_export": Access(),
    "zones:plan_list_export": Access(),
    "zones:plan": Access(write=editors, denied=DENIED_PLANS),
    # REST API (read-only, scoped)
    "zones-scheme-list": Access(),
    "zones-scheme-detail": Access(),
    "zones-designation-list": Access(),
    "zones-designation-detail": Access(),
    "zones-plan-list": Access(),
    "zones-plan-detail": Access(),
}


# --- 耕地保护 -------------------------------------------------------------------------------------------------

def may_report_farmland(user) -> bool:
    """The office records targets and patches; a township records its own actuals and its patches' rectification."""
    from xiangcun.accounts.models import Role

    return may_edit(user) or (getattr(user, "is_authenticated", False) and user.role == Role.TOWNSHIP)


DENIED_FARMLAND = "只有两项改革办、系统管理员和乡镇工作人员可以填报耕地保护数据"
DENIED_PATCHES = "只有两项改革办和系统管理员可以登记或导入图斑和耕地保护任务"

URLS.update({
    "zones:farmland": Access(write=may_report_farmland, denied=DENIED_FARMLAND),
    "zones:farmland_export": Access(),
    "zones:farmland_import": Access(allowed=editors, denied=DENIED_PATCHES),
    "zones:patches": Access(write=editors, denied=DENIED_PATCHES),
    "zones:patches_export": Access(),
    "zones:patch": Access(write=may_report_farmland, denied=DENIED_FARMLAND),
    "zones:patch_evidence": Access(),
    "zones-farmland-list": Access(),
    "zones-farmland-detail": Access(),
    "zones-patch-list": Access(),
    "zones-patch-detail": Access(),
})

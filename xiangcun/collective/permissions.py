"""Who may do what with collective economic organisations.

Everyone signed in reads the organisations of their jurisdiction (members masked). The 农业农村 department (the
authority over collective economic organisations), the reform office, administrators and township staff register
organisations, members, accounts and integrations in their jurisdiction, and may see members in full (each full
view is logged).
"""
from xiangcun.core.access import Access


def may_edit(user) -> bool:
    from xiangcun.core.roles import Role

    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_administrator or user.role in (Role.REFORM_OFFICE, Role.TOWNSHIP) or (
        user.role == Role.DEPARTMENT and user.department == "农业农村")


may_see_members = may_edit
DENIED = "只有农业农村局、改革办、乡镇工作人员和系统管理员可以登记集体经济组织"

URLS = {
    "collective:list": Access(),
    "collective:export": Access(),
    "collective:detail": Access(),
    "collective:villages": Access(),
    "collective:new": Access(allowed=may_edit, denied=DENIED),
    "collective:edit": Access(allowed=may_edit, denied=DENIED),
    "collective:members_full": Access(allowed=may_see_members, denied="您的角色不能查看成员完整信息"),
    "collective:import": Access(allowed=may_edit, denied=DENIED),
    "collective:member_import": Access(allowed=may_edit, denied=DENIED),
    "collective:account_import": Access(allowed=may_edit, denied=DENIED),
    "collective:member_export": Access(allowed=may_see_members, denied="您的角色不能导出成员名单"),
    "collective:integrations": Access(),
    "collective:integration": Access(),
    "collective:integration_new": Access(allowed=may_edit, denied=DENIED),
    "collective:integration_export": Access(),
    "collective:integration_import": Access(allowed=may_edit, denied=DENIED),
    # REST API
    "collective-organisation-list": Access(),
    "collective-organisation-detail": Access(),
    "collective-integration-list": Access(),
    "collective-integration-detail": Access(),
}

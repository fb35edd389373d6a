"""Who may do what in the register of bodies.

Everyone signed in reads the bodies in their jurisdiction (and the county departments above it). The county
reform office, the 委编办 (机构编制) and administrators register and change bodies, within their jurisdiction.
"""
from xiangcun.core.access import Access


def may_edit(user) -> bool:
    from xiangcun.core.roles import Role

    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_administrator or user.role == Role.REFORM_OFFICE or (
        user.role == Role.DEPARTMENT and user.department == "委编办")


URLS = {
    "bodies:list": Access(),
    "bodies:export": Access(),
    "bodies:detail": Access(),
    "bodies:new": Access(allowed=may_edit, denied="只有改革办、委编办和系统管理员可以登记机构"),
    "bodies:edit": Access(allowed=may_edit, denied="只有改革办、委编办和系统管理员可以修改机构"),
    "bodies:import": Access(allowed=may_edit, denied="只有改革办、委编办和系统管理员可以导入机构"),
    # REST API
    "body-list": Access(),
    "body-detail": Access(),
}

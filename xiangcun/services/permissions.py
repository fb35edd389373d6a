"""Who may use which URL of the convenience-services module.

Village agents take cases and deliver results; township staff and county departments handle the
cases forwarded to them; the reform office (政务服务 office) keeps the catalogue, lists, network and
holiday calendar. Everyone reads within their jurisdiction; item lists are published to all.
"""
from xiangcun.core.access import Access


def _role(user):
    from xiangcun.accounts.models import Role

    return Role, getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None


def is_agent(user) -> bool:
    Role, role = _role(user)
    return role == Role.VILLAGE_AGENT


def is_township(user) -> bool:
    Role, role = _role(user)
    return role == Role.TOWNSHIP


def is_department(user) -> bool:
    Role, role = _role(user)
    return role == Role.DEPARTMENT


def may_take_cases(user) -> bool:
    """Village agents take cases at their window."""
    return is_agent(user)


def may_handle(user) -> bool:
    """Those a case may be forwarded to: township staff and county departments (administrators too)."""
    return is_township(user) or is_department(user) or getattr(user, "is_administrator", False)


def may_work_cases(user) -> bool:
    return may_take_cases(user) or may_handle(user)


def may_see_full_pii(user) -> bool:
    """Roles that may ever see a resident in full (the agent who took the case and the staff handling it);
    which cases: may_see_resident(user, case)."""
    return may_work_cases(user)


def may_edit_catalogue(user) -> bool:
    """The 政务服务 office: the reform office and administrators keep items, lists, network, holidays."""
    from xiangcun.accounts.models import Role

    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_administrator or user.role == Role.REFORM_OFFICE


CATALOGUE = "只有改革办(政务服务管理部门)和管理员可以维护服务网络"

URLS = {
    "services:queue": Access(),
    "services:case_new": Access(allowed=may_take_cases),
    "services:case": Access(),
    "services:case_transition": Access(allowed=may_work_cases),
    "services:case_pii": Access(allowed=may_see_full_pii),
    "services:case_export": Access(),
    "services:items": Access(),
    "services:item": Access(),
    "services:item_export": Access(),
    "services:item_import": Access(allowed=may_edit_catalogue),
    "services:item_template": Access(),
    "services:lists": Access(),
    "services:list": Access(),
    "services:list_export": Access(),
    "services:list_version": Access(allowed=may_edit_catalogue),
    "services:list_new": Access(allowed=may_edit_catalogue),
    "services:network": Access(),
    "services:network_export": Access(),
    "services:point_new": Access(allowed=may_edit_catalogue),
    "services:point_edit": Access(allowed=may_edit_catalogue),
    "services:point_active": Access(allowed=may_edit_catalogue),
    "services:holidays": Access(write=may_edit_catalogue),
    "services:measures": Access(),
    "services:measures_export": Access(),
    # REST API
    "service-case-list": Access(write=may_take_cases, denied="只有村代办员可以受理代办件"),
    "service-case-detail": Access(),
    "service-case-transition": Access(allowed=may_work_cases, denied="您的角色不能办理代办件"),
    "service-case-measures": Access(),
    "service-item-list": Access(),
    "service-item-detail": Access(),
    "service-point-list": Access(write=may_edit_catalogue, denied=CATALOGUE),
}

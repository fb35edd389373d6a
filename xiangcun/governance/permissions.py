"""Who may do what with the township responsibility lists and 事项准入.

Everyone signed in reads the lists of their jurisdiction (a township also its county's templates). The reform
office, the 委编办 and administrators keep the county templates and any township's list; township staff adopt,
adjust and publish their own township's lists (the scope check in the services keeps them off the county's).
County departments file 事项准入 requests; only the reform office (and administrators) decide them.
"""
from xiangcun.core.access import Access


def _role(user, *roles) -> bool:
    from xiangcun.core.roles import Role

    return getattr(user, "is_authenticated", False) and (user.is_administrator or user.role in [Role(r) for r in roles])


def may_edit_lists(user) -> bool:
    from xiangcun.core.roles import Role

    return _role(user, Role.REFORM_OFFICE, Role.TOWNSHIP) or (
        getattr(user, "is_authenticated", False) and user.role == Role.DEPARTMENT and user.department == "委编办")


def may_read_admissions(user) -> bool:
    from xiangcun.core.roles import Role

    return _role(user, Role.REFORM_OFFICE, Role.DEPARTMENT, Role.ANALYST)


def may_file_admission(user) -> bool:
    from xiangcun.core.roles import Role

    return _role(user, Role.DEPARTMENT)


def may_decide_admission(user) -> bool:
    from xiangcun.core.roles import Role

    return _role(user, Role.REFORM_OFFICE)


def may_edit_powers(user) -> bool:
    """扩权赋能 and the enforcement catalogue are the county's: the reform office, the 委编办 and the 司法 department."""
    from xiangcun.core.roles import Role

    return _role(user, Role.REFORM_OFFICE) or (
        getattr(user, "is_authenticated", False) and user.role == Role.DEPARTMENT and user.department in ("委编办", "司法"))


def may_follow_up(user) -> bool:
    from xiangcun.core.roles import Role

    return may_edit_powers(user) or _role(user, Role.TOWNSHIP)


def may_edit_officers(user) -> bool:
    return may_follow_up(user)


def may_edit_staffing(user) -> bool:
    """编制 is the 委编办's and the reform office's; township staff keep their own posts and people."""
    from xiangcun.core.roles import Role

    return _role(user, Role.REFORM_OFFICE, Role.TOWNSHIP) or (
        getattr(user, "is_authenticated", False) and user.role == Role.DEPARTMENT and user.department in ("委编办", "人社"))


def may_read_staff(user) -> bool:
    from xiangcun.core.roles import Role

    return may_edit_staffing(user) or _role(user, Role.ANALYST)


EDIT = "只有改革办、委编办、乡镇工作人员和系统管理员可以编制责任清单"
STAFF = "乡镇编制和工作人员信息只对改革办、委编办、人社局、乡镇和分析员开放"
STAFF_EDIT = "只有改革办、委编办、人社局和乡镇工作人员可以维护编制、岗位和人员"
POWERS = "只有改革办、委编办、司法局和系统管理员可以登记赋权和执法事项"
URLS = {
    "governance:lists": Access(),
    "governance:list_detail": Access(),
    "governance:list_print": Access(),
    "governance:list_export": Access(),
    "governance:list_compare": Access(),
    "governance:list_new": Access(allowed=may_edit_lists, denied=EDIT),
    "governance:list_adopt": Access(allowed=may_edit_lists, denied=EDIT),
    "governance:list_new_version": Access(allowed=may_edit_lists, denied=EDIT),
    "governance:list_publish": Access(allowed=may_edit_lists, denied=EDIT),
    "governance:list_import": Access(allowed=may_edit_lists, denied=EDIT),
    "governance:duty_item_new": Access(allowed=may_edit_lists, denied=EDIT),
    "governance:duty_item_edit": Access(allowed=may_edit_lists, denied=EDIT),
    "governance:local_item_edit": Access(allowed=may_edit_lists, denied=EDIT),
    "governance:duty_item_delete": Access(allowed=may_edit_lists, denied=EDIT),
    "governance:local_item_delete": Access(allowed=may_edit_lists, denied=EDIT),
    "governance:admissions": Access(allowed=may_read_admissions, denied="事项准入申请由县级部门提出、改革办审批"),
    "governance:admission_detail": Access(allowed=may_read_admissions, denied="事项准入申请由县级部门提出、改革办审批"),
    "governance:admission_new": Access(allowed=may_file_admission, denied="只有县级部门可以提出事项准入申请"),
    "governance:admission_decide": Access(allowed=may_decide_admission, denied="只有改革办可以审批事项准入申请"),
    "governance:delegations": Access(),
    "governance:delegation_detail": Access(write=may_follow_up, denied="只有改革办、委编办、司法局和乡镇可以记录赋权跟踪情况"),
    "governance:delegation_new": Access(allowed=may_edit_powers, denied=POWERS),
    "governance:delegation_edit": Access(allowed=may_edit_powers, denied=POWERS),
    "governance:enforcement": Access(),
    "governance:enforcement_item_new": Access(allowed=may_edit_powers, denied=POWERS),
    "governance:enforcement_item_edit": Access(allowed=may_edit_powers, denied=POWERS),
    "governance:officer_new": Access(allowed=may_edit_officers, denied="只有改革办、委编办、司法局和乡镇可以登记执法人员"),
    "governance:officer_edit": Access(allowed=may_edit_officers, denied="只有改革办、委编办、司法局和乡镇可以登记执法人员"),
    "governance:staffing": Access(allowed=may_read_staff, denied=STAFF),
    "governance:staff_list": Access(allowed=may_read_staff, denied=STAFF),
    "governance:staff_detail": Access(allowed=may_read_staff, denied=STAFF),
    "governance:placement": Access(allowed=may_read_staff, denied=STAFF),
    "governance:establishment_edit": Access(allowed=may_edit_staffing, denied=STAFF_EDIT),
    "governance:post_new": Access(allowed=may_edit_staffing, denied=STAFF_EDIT),
    "governance:post_edit": Access(allowed=may_edit_staffing, denied=STAFF_EDIT),
    "governance:staff_new": Access(allowed=may_edit_staffing, denied=STAFF_EDIT),
    "governance:staff_edit": Access(allowed=may_edit_staffing, denied=STAFF_EDIT),
    "governance:place": Access(allowed=may_edit_staffing, denied=STAFF_EDIT),
    # REST API
    "governance-list-list": Access(),
    "governance-list-detail": Access(),
    "governance-delegation-list": Access(),
    "governance-delegation-detail": Access(),
    "governance-staff-list": Access(allowed=may_read_staff, denied=STAFF),
    "governance-staff-detail": Access(allowed=may_read_staff, denied=STAFF),
    "governance-admission-list": Access(allowed=may_read_admissions, denied="事项准入申请由县级部门提出、改革办审批"),
    "governance-admission-detail": Access(allowed=may_read_admissions, denied="事项准入申请由县级部门提出、改革办审批"),
}

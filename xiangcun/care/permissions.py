"""Who may see and do what in the care registry (issue #20: protection comes first).

A person's full record (name, 身份证号, address, guardian and phone, visits) is seen only by
- the person's carer (`Person.carer_user`),
- their village (the village agent of that village),
- their township's social-affairs staff (a township user whose body is the 社会事务办公室),
- the county's 民政 and 残联 departments,
- administrators,
each within their jurisdiction (the carer wherever the person lives). Everyone else in scope sees counts only:
the statistics page, never a list. Identified exports need a reason and are audited; village agents and carers
do not export identified records. A body a person is referred to (教育局 …) sees the referral it must handle.
"""
from django.db.models import Q

from xiangcun.core.access import Access

CARE_DEPARTMENTS = ("民政", "残联")
SOCIAL_AFFAIRS_OFFICE = "社会事务办公室"


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_care_department(user) -> bool:
    from xiangcun.core.roles import Role

    return _signed_in(user) and user.role == Role.DEPARTMENT and user.department in CARE_DEPARTMENTS


def is_social_affairs(user) -> bool:
    """A township's staff member of its social-affairs office (user.body)."""
    from xiangcun.core.roles import Role

    if not _signed_in(user) or user.role != Role.TOWNSHIP or not user.body_id:
        return False
    body = user.body
    return body.valid_to is None and (body.short_name == SOCIAL_AFFAIRS_OFFICE or body.name.endswith(SOCIAL_AFFAIRS_OFFICE))


def sees_area_in_full(user) -> bool:
    """Roles that see every record of their jurisdiction in full."""
    from xiangcun.core.roles import Role

    if not _signed_in(user):
        return False
    return user.is_administrator or is_care_department(user) or is_social_affairs(user) or user.role == Role.VILLAGE_AGENT


def is_carer(user) -> bool:
    return _signed_in(user) and user.care_persons.exists()


def may_see_identified(user) -> bool:
    """May this user open the list of people at all (a role that sees some records in full)."""
    return sees_area_in_full(user) or is_carer(user)


def identified_q(user) -> Q:
    """The filter on Person of the records `user` sees in full."""
    from xiangcun.divisions.scoping import scope_paths, scope_q

    if not _signed_in(user):
        return Q(pk__in=[])
    own = Q(carer_user=user)
    if not sees_area_in_full(user):
        return own
    if scope_paths(user) is None:
        return Q()
    return scope_q(user, "village__path") | own


def may_edit(user) -> bool:
    """Register and change people: those who see an area in full (a carer records visits, not the register)."""
    return sees_area_in_full(user)


def may_import(user) -> bool:
    """The 民政 / 残联 lists are imported by those departments, the township's social-affairs office or an administrator."""
    return _signed_in(user) and (user.is_administrator or is_care_department(user) or is_social_affairs(user))


# identified exports: the same people as import; village agents and carers never export identified data
may_export_identified = may_import


def may_set_rules(user) -> bool:
    return _signed_in(user) and (user.is_administrator or is_care_department(user))


def may_handle_referrals(user) -> bool:
    """Users of a body (a county department, a township office) may be sent referrals."""
    return _signed_in(user) and (bool(user.body_id) or may_see_identified(user))


DENIED = "关爱对象的个人信息仅限其关爱责任人、所在村、乡镇社会事务办公室和县民政、残联部门查看;您可以查看统计数"

URLS = {
    "care:stats": Access(),
    "care:list": Access(allowed=may_see_identified, denied=DENIED),
    "care:detail": Access(allowed=may_see_identified, denied=DENIED),
    "care:new": Access(allowed=may_edit, denied="只有村代办员、乡镇社会事务办公室、县民政和残联部门可以登记关爱对象"),
    "care:edit": Access(allowed=may_edit, denied="只有村代办员、乡镇社会事务办公室、县民政和残联部门可以修改关爱对象"),
    "care:end": Access(allowed=may_edit, denied="只有村代办员、乡镇社会事务办公室、县民政和残联部门可以办理退出"),
    "care:import": Access(allowed=may_import, denied="只有县民政、残联部门、乡镇社会事务办公室和系统管理员可以导入名单"),
    "care:export": Access(allowed=may_export_identified,
                          denied="只有县民政、残联部门、乡镇社会事务办公室和系统管理员可以导出实名名单"),
    "care:visits_due": Access(allowed=may_see_identified, denied=DENIED),
    "care:visit_new": Access(allowed=may_see_identified, denied=DENIED),
    "care:refer": Access(allowed=may_see_identified, denied=DENIED),
    "care:referrals": Access(allowed=may_handle_referrals, denied="您不属于任何机构,没有待办的转介"),
    "care:referral": Access(allowed=may_handle_referrals, denied="您不属于任何机构,没有待办的转介"),
    "care:rules": Access(write=may_set_rules, denied="只有县民政、残联部门和系统管理员可以设置走访周期"),
    # REST API: masked fields only, the same people as the list
    "care-person-list": Access(allowed=may_see_identified, denied=DENIED),
    "care-person-detail": Access(allowed=may_see_identified, denied=DENIED),
}

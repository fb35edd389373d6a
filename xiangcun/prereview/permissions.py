"""Who may do what in 前置审查.

Everyone signed in reads the applications in their jurisdiction (the reform office, the county departments and
administrators read the whole county). The township registers a site application and approves it; the 自然资源
and 水利 departments (users of role DEPARTMENT whose department is "自然资源" / "水利" — or "水务" — or who belong
to a body of that name) record their review of the aspect that is theirs (地灾隐患 / 行洪安全); administrators act
for either.
"""
from xiangcun.core.access import Access

from .models import DEPARTMENTS, Aspect


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def may_register(user) -> bool:
    """The township registers and approves (administrators act for it)."""
    from xiangcun.core.roles import Role

    return _signed_in(user) and (user.is_administrator or user.role == Role.TOWNSHIP)


may_approve = may_register


def department_names(user) -> set[str]:
    """The department names a user speaks for: `user.department` and the short and full name of their body."""
    names = {getattr(user, "department", "") or ""}
    body = getattr(user, "body", None) if getattr(user, "body_id", None) else None
    if body is not None:
        names |= {body.short_name or "", body.name}
    return {n for n in names if n}


def reviews_aspect(user, aspect: str) -> bool:
    """Whether `user` records the review of `aspect` ("geo": 自然资源, "flood": 水利)."""
    from xiangcun.core.roles import Role

    if not _signed_in(user):
        return False
    if user.is_administrator:
        return True
    if user.role != Role.DEPARTMENT:
        return False
    names = department_names(user)
    return any(dept == n or (dept in n and n.endswith("局")) for dept in DEPARTMENTS[Aspect(aspect)] for n in names)


def may_review(user) -> bool:
    return any(reviews_aspect(user, a) for a in Aspect.values)


DENIED_REGISTER = "只有乡镇工作人员和系统管理员可以登记前置审查申请"
DENIED_REVIEW = "只有自然资源、水利部门和系统管理员可以录入前置审查意见"
DENIED_APPROVE = "只有乡镇工作人员和系统管理员可以批准建房选址"

URLS = {
    "prereview:list": Access(),
    "prereview:export": Access(),
    "prereview:stats": Access(),
    "prereview:stats_export": Access(),
    "prereview:new": Access(allowed=may_register, denied=DENIED_REGISTER),
    "prereview:detail": Access(),
    "prereview:review": Access(allowed=may_review, denied=DENIED_REVIEW),
    "prereview:approve": Access(allowed=may_approve, denied=DENIED_APPROVE),
    # REST API (read-only, scoped)
    "prereview-application-list": Access(),
    "prereview-application-detail": Access(),
    "prereview-stats-list": Access(),
}

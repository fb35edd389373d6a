"""What each role may read and change in the divisions module, and its URLs.

Everybody reads the registry within their jurisdiction; the county reform office, the 民政 department
and administrators change it (import editions, confirm reconciliations, record events, villager groups).
"""
from xiangcun.core.access import Access
from xiangcun.core.roles import Role


def editors(user) -> bool:
    """The reform office, the 民政 department and administrators change the registry."""
    return getattr(user, "is_authenticated", False) and (user.is_administrator or user.role == Role.REFORM_OFFICE or (
        user.role == Role.DEPARTMENT and user.department == "民政"))


def may_adopt_baseline(user) -> bool:
    """Building a county's baseline from an NBS edition: administrators and the 民政 department."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_administrator or (user.role == Role.DEPARTMENT and user.department == "民政"))


EDIT = "您的角色不能修改区划台账"


URLS = {
    "divisions:list": Access(),
    "divisions:export": Access(),
    "divisions:detail": Access(),
    "divisions:lineage": Access(),
    "divisions:children": Access(),
    "divisions:group_add": Access(allowed=editors, denied=EDIT),
    "divisions:group_import": Access(allowed=editors, denied=EDIT),
    "divisions:group_template": Access(),
    "divisions:events": Access(),
    "divisions:event_new": Access(allowed=editors, denied=EDIT),
    "divisions:event_import": Access(allowed=editors, denied=EDIT),
    "divisions:event_template": Access(),
    "divisions:stats": Access(),
    "divisions:map": Access(),
    "divisions:geojson": Access(),
    "divisions:editions": Access(write=editors, denied="您的角色不能导入版次"),
    "divisions:baseline": Access(allowed=may_adopt_baseline, denied="只有系统管理员和民政部门可以建立区划基线"),
    "divisions:runs": Access(write=editors, denied="您的角色不能发起版本比对"),
    "divisions:run": Access(write=editors, denied=EDIT),  # POST: confirm or reject proposals
    "divisions:proposal_decide": Access(allowed=editors, denied=EDIT),
    # REST API (DRF router names)
    "api-root": Access(),
    "api-token": Access(public=True),
    "api-schema": Access(),
    "api-docs": Access(),
    "division-list": Access(),
    "division-detail": Access(),
    "division-tree": Access(),
    "division-lineage": Access(),
    "division-successors": Access(),
    "division-event-list": Access(),
    "division-event-detail": Access(),
    "edition-list": Access(),
    "edition-detail": Access(),
    "division-stats-list": Access(),
}

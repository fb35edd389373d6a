"""What each role may do on the workbench pages, and their URLs (enforced by core.access)."""
from xiangcun.accounts.models import Role
from xiangcun.core.access import Access


def may_read_log(user) -> bool:
    """The audit log: administrators and the county reform office (within its jurisdiction)."""
    return getattr(user, "is_administrator", False) or getattr(user, "role", None) == Role.REFORM_OFFICE


URLS = {
    "workbench:home": Access(),
    "workbench:audit_log": Access(allowed=may_read_log, denied="只有系统管理员和两项改革办可以查看审计日志"),
    "workbench:audit_history": Access(),
}

"""What each role may do in the indicators module, and its URLs.

The county (administrators and the reform office) keeps the catalogue, the 薄弱村 threshold and the
targets. Township staff, county departments and the office enter values and the collective-economy
ledger for the units in their jurisdiction. Everyone but village agents reads the dashboard and
statistics of their own jurisdiction; the catalogue is public to every signed-in user.
"""
from xiangcun.core.access import Access


def _role(user):
    return getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None


def may_manage(user) -> bool:
    """The catalogue, parameters and targets belong to the county: administrators and the reform office."""
    from xiangcun.accounts.models import Role

    return bool(_role(user)) and (user.is_administrator or user.role == Role.REFORM_OFFICE)


def may_enter(user) -> bool:
    """Values and the collective-economy ledger are entered by township staff, county departments and the office."""
    from xiangcun.accounts.models import Role

    return may_manage(user) or _role(user) in (Role.TOWNSHIP, Role.DEPARTMENT)


def may_read_reports(user) -> bool:
    """Statistics of a place: everyone with a township or wider jurisdiction (not a village agent)."""
    from xiangcun.accounts.models import Role

    return bool(_role(user)) and user.role != Role.VILLAGE_AGENT


URLS = {
    "indicators:dashboard": Access(allowed=may_read_reports),
    "indicators:report": Access(allowed=may_read_reports),
    "indicators:print": Access(allowed=may_read_reports),
    "indicators:elements": Access(),
    "indicators:element_new": Access(allowed=may_manage),
    "indicators:element_edit": Access(allowed=may_manage),
    "indicators:values": Access(allowed=may_read_reports),
    "indicators:export": Access(allowed=may_read_reports),
    "indicators:import": Access(allowed=may_enter),
    "indicators:entry": Access(allowed=may_enter),
    "indicators:unit": Access(allowed=may_read_reports),
    "indicators:collective": Access(allowed=may_read_reports),
    "indicators:collective_edit": Access(allowed=may_enter),
    "indicators:threshold": Access(allowed=may_manage),
    "indicators:collective_export": Access(allowed=may_read_reports),
    "indicators:collective_import": Access(allowed=may_enter),
    "indicators:targets": Access(allowed=may_read_reports),
    "indicators:target_new": Access(allowed=may_manage),
    "indicators:target_edit": Access(allowed=may_manage),
    # REST API
    "indicator-element-list": Access(),
    "indicator-value-list": Access(allowed=may_read_reports, denied="您的角色不能查看指标数据"),
    "indicator-value-detail": Access(allowed=may_read_reports, denied="您的角色不能查看指标数据"),
    "indicator-value-aggregate": Access(allowed=may_read_reports, denied="您的角色不能查看指标数据"),
}

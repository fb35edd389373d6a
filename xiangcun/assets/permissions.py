"""What each role may do in the assets module, and its URLs.

财政/国资 department staff, the county reform office and administrators change the ledger (create,
edit, lifecycle steps, approve plans, open and sign off campaigns, import). Township staff check the
assets of their township in campaigns and may propose revitalisation plans. Everyone else in scope reads.
"""
from xiangcun.core.access import Access

LEDGER_DEPARTMENTS = ("财政", "国资")


def may_edit_ledger(user) -> bool:
    """财政/国资 department staff, the reform office and administrators change the ledger."""
    from xiangcun.accounts.models import Role

    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_administrator or user.role == Role.REFORM_OFFICE or (
        user.role == Role.DEPARTMENT and user.department in LEDGER_DEPARTMENTS)


def may_check(user) -> bool:
    """Township staff check the assets of their township in campaigns (and may propose plans)."""
    from xiangcun.accounts.models import Role

    return may_edit_ledger(user) or (getattr(user, "is_authenticated", False) and user.role == Role.TOWNSHIP)


may_propose = may_check
editors, checkers, proposers = may_edit_ledger, may_check, may_propose


URLS = {
    "assets:list": Access(),
    "assets:export": Access(),
    "assets:map": Access(),
    "assets:detail": Access(),
    "assets:new": Access(allowed=editors),
    "assets:edit": Access(allowed=editors),
    "assets:transition": Access(allowed=editors),
    "assets:delete": Access(allowed=editors),
    "assets:deleted": Access(allowed=editors),
    "assets:restore": Access(allowed=editors),
    "assets:attach": Access(allowed=editors),
    "assets:attachment": Access(),
    "assets:plan_new": Access(allowed=proposers),
    "assets:plan_decide": Access(allowed=editors),
    "assets:plan_outcome": Access(allowed=editors),
    "assets:plan_deliberation": Access(allowed=proposers),
    "assets:campaigns": Access(),
    "assets:campaign_new": Access(allowed=editors),
    "assets:campaign": Access(),
    "assets:campaign_check": Access(allowed=checkers),
    "assets:campaign_close": Access(allowed=editors),
    "assets:campaign_export": Access(),
    "assets:stats": Access(),
    "assets:stats_export": Access(),
    "assets:import": Access(allowed=editors),
    "assets:template": Access(),
    "assets:refresh_custody": Access(allowed=editors),
    # REST API
    "asset-list": Access(),
    "asset-detail": Access(),
    "asset-idle-buildings": Access(),
    "asset-stats": Access(),
    "asset-transition": Access(allowed=editors, denied="您的角色不能修改资产台账"),
}

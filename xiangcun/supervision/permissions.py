"""Who may do what in task supervision (督查督办).

Everyone signed in reads the tasks in their jurisdiction (a township: the tasks its own bodies lead or support).
The county reform office (改革办) and administrators manage the cycle: import the task list, open rounds, review
reports, 催办, issue 督办单, record 约谈/问责 and close tasks (销号). The responsible bodies — county departments,
townships, villages — file progress reports and reply to 督办单 for the tasks their own body leads (checked per
task: another body's task answers 404).
"""
from xiangcun.core.access import Access


def may_manage(user) -> bool:
    from xiangcun.core.roles import Role

    return bool(getattr(user, "is_authenticated", False)) and (user.is_administrator or user.role == Role.REFORM_OFFICE)


def may_file(user) -> bool:
    """The roles that file reports for their body (which tasks: `services.acting_bodies`)."""
    from xiangcun.core.roles import Role

    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_administrator or user.role in (Role.DEPARTMENT, Role.TOWNSHIP, Role.VILLAGE_AGENT))


MANAGE = "只有县(市)两项改革办和系统管理员可以管理督查督办"
FILE = "只有承担任务的县级部门、乡镇和村(社区)可以报送进展"

URLS = {
    "supervision:list": Access(),
    "supervision:export": Access(),
    "supervision:progress": Access(),
    "supervision:ranking": Access(),
    "supervision:detail": Access(),
    "supervision:evidence": Access(),
    "supervision:notice_docx": Access(),
    "supervision:import": Access(allowed=may_manage, denied=MANAGE),
    "supervision:new": Access(allowed=may_manage, denied=MANAGE),
    "supervision:edit": Access(allowed=may_manage, denied=MANAGE),
    "supervision:scheme": Access(write=may_manage, denied=MANAGE),
    "supervision:publish": Access(allowed=may_manage, denied=MANAGE),
    "supervision:bulletin": Access(),
    "supervision:rounds": Access(write=may_manage, denied=MANAGE),
    "supervision:review": Access(allowed=may_manage, denied=MANAGE),
    "supervision:remind": Access(allowed=may_manage, denied=MANAGE),
    "supervision:milestone_new": Access(allowed=may_manage, denied=MANAGE),
    "supervision:notice_new": Access(allowed=may_manage, denied=MANAGE),
    "supervision:escalate": Access(allowed=may_manage, denied=MANAGE),
    "supervision:close": Access(allowed=may_manage, denied=MANAGE),
    "supervision:report": Access(allowed=may_file, denied=FILE),
    "supervision:notice_reply": Access(allowed=may_file, denied=FILE),
    # REST API
    "supervision-task-list": Access(),
    "supervision-task-detail": Access(),
    "supervision-report-list": Access(write=may_file, denied=FILE),
    "supervision-report-review": Access(allowed=may_manage, denied=MANAGE),
    "supervision-report-detail": Access(),
}

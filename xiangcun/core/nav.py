from xiangcun.accounts.permissions import administrators, managers
from xiangcun.core.audit_views import may_read_log

SECTIONS = [
    (0, "总览", [("core:home", "工作台", None)]),
    (90, "系统", [
        ("core:jobs", "后台任务", None),
        ("core:audit_log", "审计日志", may_read_log),
        ("accounts:users", "用户管理", managers),
        ("accounts:otp_setup", "动态口令", administrators),
        ("api-docs", "接口文档", None),
    ]),
]

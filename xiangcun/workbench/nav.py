from xiangcun.accounts.permissions import administrators, managers

from .permissions import may_read_log

# "总览" opens with the 工作台 (-1: before the other apps' entries of order 0); the "系统" entries follow
# core's 后台任务 (same order 90, core comes first) in the order they always had.
SECTIONS = [
    (-1, "总览", [("workbench:home", "工作台", None)]),
    (90, "系统", [
        ("workbench:audit_log", "审计日志", may_read_log),
        ("accounts:users", "用户管理", managers),
        ("accounts:otp_setup", "动态口令", administrators),
        ("accounts:me", "我的接口令牌", None),
        ("api-docs", "接口文档", None),
    ]),
]

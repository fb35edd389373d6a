"""The left navigation, by module; the current one is highlighted from the URL namespace."""

NAVIGATION = [
    ("总览", [("core:home", "工作台", "speedometer")]),
    ("区划台账", [
        ("divisions:list", "区划单位", "diagram"),
        ("divisions:events", "变更记录", "clock"),
        ("divisions:stats", "改革统计", "bar"),
    ]),
    ("统计用区划代码", [
        ("divisions:editions", "版次导入", "upload"),
        ("divisions:runs", "版本比对", "compare"),
    ]),
    ("系统", [("core:jobs", "后台任务", "gear"), ("core:audit_log", "审计日志", "journal")]),
]


def navigation(request):
    match = getattr(request, "resolver_match", None)
    current = f"{match.namespace}:{match.url_name}" if match else ""
    return {"navigation": NAVIGATION, "current_view": current, "current_namespace": match.namespace if match else ""}

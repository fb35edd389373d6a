SECTIONS = [
    (90, "系统", [("core:jobs", "后台任务", None)]),
]

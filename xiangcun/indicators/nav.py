from .permissions import may_read_reports

SECTIONS = [
    (0, "总览", [("indicators:dashboard", "改革驾驶舱", may_read_reports)]),
    (40, "指标与考核", [
        ("indicators:values", "指标填报", may_read_reports),
        ("indicators:collective", "村集体经济", may_read_reports),
        ("indicators:targets", "目标考核", may_read_reports),
        ("indicators:elements", "指标目录", None),
    ]),
]

from .permissions import may_read, may_read_plans

SECTIONS = [
    (50, "设施布局", [
        ("facilities:home", "现状诊断", may_read_plans),
        ("facilities:list", "设施台账", may_read),
        ("facilities:demand", "分龄人口", may_read_plans),
        ("facilities:scenarios", "布局方案", may_read_plans),
        ("facilities:travel", "出行与候选站点", may_read_plans),
        ("facilities:rules", "布局规则", may_read_plans),
    ]),
]

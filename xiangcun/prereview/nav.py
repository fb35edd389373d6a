from .permissions import may_register

SECTIONS = [
    (62, "前置审查", [
        ("prereview:list", "建房选址前置审查", None),
        ("prereview:new", "登记选址申请", may_register),
        ("prereview:stats", "分乡镇统计", None),
    ]),
]

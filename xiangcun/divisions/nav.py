from .permissions import may_adopt_baseline

SECTIONS = [
    (10, "区划台账", [
        ("divisions:list", "区划单位", None),
        ("divisions:map", "区划地图", None),
        ("divisions:events", "变更记录", None),
        ("divisions:stats", "改革统计", None),
    ]),
    (11, "统计用区划代码", [
        ("divisions:editions", "版次导入", None),
        ("divisions:baseline", "建立基线", may_adopt_baseline),
        ("divisions:runs", "版本比对", None),
    ]),
]

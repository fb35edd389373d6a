from .permissions import editors

SECTIONS = [
    (60, "片区规划", [
        ("zones:list", "片区划分方案", None),
        ("zones:propose", "优化生成片区", editors),
        ("zones:designations", "村镇分类", None),
        ("zones:plans", "规划编制与覆盖", None),
        ("zones:farmland", "耕地保护任务", None),
        ("zones:patches", "违法用地图斑", None),
    ]),
]

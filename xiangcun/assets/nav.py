SECTIONS = [
    (20, "公有资产", [
        ("assets:list", "资产台账", None),
        ("assets:map", "资产地图", None),
        ("assets:campaigns", "清查核实", None),
        ("assets:stats", "盘活统计", None),
    ]),
]

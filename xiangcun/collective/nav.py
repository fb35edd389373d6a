SECTIONS = [
    (45, "集体经济", [
        ("collective:list", "集体经济组织", None),
        ("collective:villages", "村集体经济收入", None),
        ("collective:integrations", "合并村集体经济整合", None),
    ]),
]

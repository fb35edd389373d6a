SECTIONS = [
    (12, "机构", [
        ("bodies:list", "机构名录", None),
    ]),
]

SECTIONS = [
    (15, "督查督办", [
        ("supervision:list", "任务清单", None),
        ("supervision:rounds", "报送轮次", None),
        ("supervision:ranking", "督办考核排名", None),
    ]),
]

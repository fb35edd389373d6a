from .permissions import may_handle_referrals, may_see_identified

SECTIONS = [
    (40, "关爱服务", [
        ("care:stats", "关爱服务统计", None),
        ("care:list", "关爱对象名单", may_see_identified),
        ("care:visits_due", "走访提醒", may_see_identified),
        ("care:referrals", "转介", may_handle_referrals),
        ("care:rules", "走访周期", None),
    ]),
]

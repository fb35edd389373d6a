from .permissions import may_take_cases

SECTIONS = [
    (30, "便民服务", [
        ("services:queue", "代办件", None),
        ("services:case_new", "受理代办", may_take_cases),
        ("services:measures", "办件统计", None),
        ("services:network", "服务网络", None),
        ("services:lists", "事项清单", None),
        ("services:items", "服务事项", None),
        ("services:holidays", "节假日", None),
    ]),
]

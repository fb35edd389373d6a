"""The permission matrix's data for 前置审查 (see core/tests/test_matrix.py)."""
from xiangcun.core.tests.matrix import Case

CASES = {
    "prereview:detail": Case(obj="application"),
    # an empty form is refused on the page itself, every error beside its field
    "prereview:new": Case(method="post", ok=400),
    # only administrators among the matrix's users record a review (no 自然资源/水利 user there); empty: 400
    "prereview:review": Case(obj="application", method="post", ok=400, kwargs={"aspect": "geo"}),
    # approving before both reviews passed is refused on the detail page, in Chinese
    "prereview:approve": Case(obj="application", method="post", ok=400),
    "prereview-application-detail": Case(obj="application"),
}


def _applications(users, unit):
    import datetime as dt

    from ..models import Application

    return {label: Application.objects.create(name=f"{village}村民住房(矩阵)", applicant="矩阵", village=unit(village),
                                              lon=102.2, lat=31.9, registered_on=dt.date(2026, 1, 5)).pk
            for label, village in (("sg", "松岗村"), ("db", "党坝村"))}


OBJECTS = {"application": ("area", _applications)}

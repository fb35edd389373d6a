"""A small world on the real 马尔康市 registry: township staff of two townships, the 自然资源 and 水利 departments."""
import datetime as dt

import pytest

from xiangcun.accounts.models import Role

ID = "11010519491231002X"  # a valid 身份证号 (GB 11643 check digit)
DAY = dt.date(2026, 1, 5)


@pytest.fixture
def cast(maerkang, unit, make_user):
    return {
        "office": make_user("office", Role.REFORM_OFFICE, maerkang),
        "ziran": make_user("ziran", Role.DEPARTMENT, maerkang, department="自然资源"),
        "shuili": make_user("shuili", Role.DEPARTMENT, maerkang, department="水利"),
        "minzheng": make_user("minzheng", Role.DEPARTMENT, maerkang, department="民政"),
        "songgang": make_user("songgang", Role.TOWNSHIP, unit("松岗镇")),
        "dangba": make_user("dangba", Role.TOWNSHIP, unit("党坝乡")),
        "agent": make_user("agent", Role.VILLAGE_AGENT, unit("松岗村")),
    }


@pytest.fixture
def site(cast, unit):
    """site(village="松岗村", by="songgang", **fields): an application registered by the township."""
    from xiangcun.prereview import services
    from xiangcun.prereview.models import Application

    def make(village="松岗村", by="songgang", **fields):
        fields.setdefault("name", f"{village}村民住房新建")
        fields.setdefault("applicant", "泽仁")
        fields.setdefault("lon", 102.2)
        fields.setdefault("lat", 31.9)
        fields.setdefault("registered_on", DAY)
        return services.register(cast[by], Application(village=unit(village), **fields))

    return make

"""A small world on the real 马尔康市 registry: agents of two villages, township staff, a county department."""
import pytest

from xiangcun.accounts.models import Role

ID = "11010519491231002X"  # a valid 身份证号 (GB 11643 check digit)


@pytest.fixture
def cast(maerkang, unit, make_user):
    return {
        "office": make_user("office", Role.REFORM_OFFICE, maerkang),
        "minzheng": make_user("minzheng", Role.DEPARTMENT, maerkang, department="民政"),
        "caizheng": make_user("caizheng", Role.DEPARTMENT, maerkang, department="财政"),
        "songgang": make_user("songgang", Role.TOWNSHIP, unit("松岗镇")),
        "dangba": make_user("dangba", Role.TOWNSHIP, unit("党坝乡")),
        "agent": make_user("agent", Role.VILLAGE_AGENT, unit("松岗村")),
        "agent2": make_user("agent2", Role.VILLAGE_AGENT, unit("党坝村")),
        "analyst": make_user("analyst", Role.ANALYST, maerkang),
    }


@pytest.fixture
def items(db):
    from xiangcun.services.models import ItemLevel, ServiceItem

    return {
        "township": ServiceItem.objects.create(code="T-001", name="高龄津贴申请", category="民政", department="民政",
                                               level=ItemLevel.TOWNSHIP, time_limit=5, materials="身份证\n户口簿"),
        "county": ServiceItem.objects.create(code="C-001", name="残疾人证办理", category="残联", department="民政",
                                             level=ItemLevel.COUNTY, time_limit=10, materials="身份证\n照片\n体检表"),
        "no_proxy": ServiceItem.objects.create(code="C-002", name="不动产登记", category="自然资源",
                                               department="自然资源", level=ItemLevel.COUNTY, time_limit=15,
                                               proxy_allowed=False),
    }


@pytest.fixture
def take(cast, unit, items):
    from xiangcun.services import casework

    def make(item="township", agent="agent", village="松岗村", **kw):
        kw.setdefault("materials", ["身份证"])
        return casework.take_case(cast[agent], unit(village), items[item], "张小明", ID, "13912345678", **kw)

    return make

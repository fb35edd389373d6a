"""A small ledger on the real 马尔康市 registry: assets of an abolished township and of surviving ones."""
import datetime as dt
from decimal import Decimal

import pytest

from xiangcun.accounts.models import Role


@pytest.fixture
def cast(maerkang, unit, make_user):
    """office / caizheng (county), songgang and dangba (township staff), agent (village agent)."""
    return {
        "office": make_user("office", Role.REFORM_OFFICE, maerkang),
        "caizheng": make_user("caizheng", Role.DEPARTMENT, maerkang, department="财政"),
        "minzheng": make_user("minzheng", Role.DEPARTMENT, maerkang, department="民政"),
        "songgang": make_user("songgang", Role.TOWNSHIP, unit("松岗镇")),
        "dangba": make_user("dangba", Role.TOWNSHIP, unit("党坝乡")),
        "maerkang": make_user("mkz", Role.TOWNSHIP, unit("马尔康镇")),
    }


@pytest.fixture
def new_asset(cast, unit, maerkang):
    """A state asset (国有-行政事业, owned by the county's 财政局) valued by a registered valuer, unless told otherwise."""
    from xiangcun.assets import services
    from xiangcun.bodies.services import department_body

    def make(holder="卓克基镇", ledger_no="ZKJ-001", name="卓克基镇原政府办公楼", category="office", **extra):
        values = dict(name=name, category=category, holder=unit(holder), floor_area=Decimal("820.5"),
                      valuation=Decimal("1200000"), valuation_date=dt.date(2023, 5, 1), lon=102.2, lat=31.9,
                      nature="state_admin", owner_body=department_body(maerkang, "财政"),
                      valuer="四川某资产评估有限公司", valuer_registration="川评协备2020012")
        values.update(extra)
        return services.create_asset(cast["caizheng"], ledger_no, **values)

    return make


@pytest.fixture
def idle_asset(new_asset, cast):
    from xiangcun.assets import services

    def make(**kw):
        asset = new_asset(**kw)
        services.transition(asset, "check", cast["caizheng"])
        return services.transition(asset, "mark_idle", cast["caizheng"], when=dt.date(2022, 3, 1))

    return make

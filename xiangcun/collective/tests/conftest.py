import datetime as dt

import pytest

from xiangcun.accounts.models import Role


@pytest.fixture
def cast(maerkang, unit, make_user):
    return {
        "office": make_user("office", Role.REFORM_OFFICE, maerkang),
        "nongye": make_user("nongye", Role.DEPARTMENT, maerkang, department="农业农村"),
        "caizheng": make_user("caizheng", Role.DEPARTMENT, maerkang, department="财政"),
        "analyst": make_user("analyst", Role.ANALYST, maerkang),
        "songgang": make_user("songgang", Role.TOWNSHIP, unit("松岗镇")),
        "dangba": make_user("dangba", Role.TOWNSHIP, unit("党坝乡")),
    }


@pytest.fixture
def org(cast, unit):
    from xiangcun.collective import services
    from xiangcun.collective.models import Organisation

    def make(name, village="党坝村", **extra):
        return services.save_organisation(cast["office"], Organisation(name=name, village=unit(village), **extra))

    return make


@pytest.fixture
def merge(unit):
    """merge(): 党坝村 merges on 2023-01-01 into another village of 党坝乡 (returned)."""
    from xiangcun.divisions import services as registry

    def run():
        into = unit("党坝乡").children.filter(valid_to__isnull=True).exclude(pk=unit("党坝村").pk).order_by("code").first()
        registry.merge([unit("党坝村")], dt.date(2023, 1, 1), into=into, document="马府民政〔2023〕1号")
        into.refresh_from_db()
        return into

    return run

import pytest

from xiangcun.accounts.models import Role


@pytest.fixture(autouse=True)
def catalogue(request):
    """The seeded catalogue (a transactional test earlier in the session flushes the migration's rows)."""
    if "db" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("db") if "transactional_db" not in request.fixturenames else None
    from xiangcun.indicators.catalogue import seed
    from xiangcun.indicators.models import DataElement

    seed(DataElement)


@pytest.fixture
def people(maerkang, unit, make_user):
    """The county reform office and the staff of two townships."""
    return {
        "office": make_user("office", Role.REFORM_OFFICE, maerkang),
        "songgang": make_user("songgang", Role.TOWNSHIP, unit("松岗镇")),
        "dangba": make_user("dangba", Role.TOWNSHIP, unit("党坝乡")),
        "agent": make_user("agent", Role.VILLAGE_AGENT, unit("松岗村")),
    }


@pytest.fixture
def entered(people, unit):
    """Values of 七里村 (merged into 松岗村 on 2020-06-30) and 松岗村 for 2019, and of 松岗村 for 2022."""
    from xiangcun.indicators import services

    sg = people["songgang"]
    services.save_values(sg, unit("七里村"), "2019", {"POP": "300", "HOUSEHOLDS": "80", "ROAD_HARD": "是", "WATER_TAP_RATE": "50"})
    services.save_values(sg, unit("松岗村"), "2019", {"POP": "500", "HOUSEHOLDS": "120", "ROAD_HARD": "否", "WATER_TAP_RATE": "90"})
    services.save_values(sg, unit("松岗村"), "2022", {"POP": "820", "HOUSEHOLDS": "205", "ROAD_HARD": "是", "WATER_TAP_RATE": "95"})
    return sg

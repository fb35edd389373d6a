import pytest

from xiangcun.accounts.models import Role


@pytest.fixture
def register(maerkang):
    """A small register of bodies for 马尔康: a few county departments and every current township's 人民政府."""
    from xiangcun.bodies import services
    from xiangcun.bodies.models import Body, BodyKind
    from xiangcun.divisions.levels import Level
    from xiangcun.divisions.models import Division

    depts = {short: services.department_body(maerkang, short) for short in ("改革办", "财政", "民政", "自然资源", "农业农村")}
    govs = {}
    for unit in Division.objects.filter(parent=maerkang, level=Level.TOWNSHIP, valid_to__isnull=True).order_by("code"):
        govs[unit.name] = Body.objects.create(name=f"{unit.name}人民政府", short_name="政府",
                                              kind=BodyKind.TOWNSHIP_GOVERNMENT, unit=unit)
    return depts, govs


@pytest.fixture
def people(maerkang, unit, make_user, register):
    return {
        "office": make_user("sv_office", Role.REFORM_OFFICE, maerkang),
        "minzheng": make_user("sv_minzheng", Role.DEPARTMENT, maerkang, department="民政"),
        "songgang": make_user("sv_songgang", Role.TOWNSHIP, unit("松岗镇")),
        "dangba": make_user("sv_dangba", Role.TOWNSHIP, unit("党坝乡")),
    }

"""A small cast for the care registry's tests: the matrix's roles plus the people the issue names (a carer, a
township's social-affairs officer, a 残联 and a 教育局 user), and two identified people."""
import datetime as dt

import pytest

from xiangcun.core.validators import id_check_digit

SECRET_NAME = "欧阳晓雯"          # what must never leak in full
SECRET_PHONE = "13912345678"


def ident(first17: str) -> str:
    """A valid 18-digit 身份证号 from its first 17 digits (generated, no real person)."""
    return first17 + id_check_digit(first17)


def born_years_ago(years: int, days: int = 0) -> str:
    d = dt.date.today().replace(year=dt.date.today().year - years) - dt.timedelta(days=days)
    return d.strftime("%Y%m%d")


@pytest.fixture
def cast(maerkang, unit, make_user):
    from xiangcun.accounts.models import Role
    from xiangcun.bodies.models import Body, BodyKind
    from xiangcun.bodies.services import department_body, main_body

    county = maerkang
    songgang = unit("松岗镇")
    gov = main_body(songgang) or Body.objects.create(name="松岗镇人民政府", kind=BodyKind.TOWNSHIP_GOVERNMENT, unit=songgang)
    social = Body.objects.create(name="松岗镇社会事务办公室", short_name="社会事务办公室", kind=BodyKind.TOWNSHIP_OFFICE,
                                 unit=songgang, parent=gov)
    users = {
        "admin": make_user("c_admin", Role.ADMIN, None),
        "office": make_user("c_office", Role.REFORM_OFFICE, county),
        "minzheng": make_user("c_minzheng", Role.DEPARTMENT, county, department="民政"),
        "canlian": make_user("c_canlian", Role.DEPARTMENT, county, department="残联"),
        "caizheng": make_user("c_caizheng", Role.DEPARTMENT, county, department="财政"),
        "jiaoyu": make_user("c_jiaoyu", Role.DEPARTMENT, county, department="教育"),
        "analyst": make_user("c_analyst", Role.ANALYST, county),
        "songgang": make_user("c_songgang", Role.TOWNSHIP, songgang),
        "social": make_user("c_social", Role.TOWNSHIP, songgang, body=social),
        "dangba": make_user("c_dangba", Role.TOWNSHIP, unit("党坝乡")),
        "agent": make_user("c_agent", Role.VILLAGE_AGENT, unit("松岗村")),
        "agent_db": make_user("c_agent_db", Role.VILLAGE_AGENT, unit("党坝村")),
        "carer": make_user("c_carer", Role.VILLAGE_AGENT, unit("党坝村"), display_name="儿童主任王老师"),
    }
    from xiangcun.care.models import Person

    def person(village, first17, name="张三丰", **extra):
        p = Person(name=name, village=unit(village), **extra)
        if not any(extra.get(f"is_{c}") for c in ("left_behind_child", "child_in_difficulty", "disabled",
                                                    "left_behind_elderly", "extreme_poverty")):
            p.is_extreme_poverty, p.support_mode = True, "dispersed"
        p.set_id_number(ident(first17))
        p.save()
        return p

    sg = person("松岗村", "513201" + born_years_ago(10) + "123", name=SECRET_NAME, guardian_name="欧阳大山",
                guardian_phone=SECRET_PHONE, is_left_behind_child=True, risk_level="special", risk_reason="独居")
    db = person("党坝村", "513201" + born_years_ago(70) + "456", name="李四海", is_left_behind_elderly=True,
                carer_user=users["carer"], carer_role="children_director")
    return {"users": users, "sg": sg, "db": db, "person": person, "education": department_body(county, "教育"),
            "social_body": social}

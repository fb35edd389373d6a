import datetime as dt

import pytest

from xiangcun.accounts.models import Role


@pytest.fixture
def offices(maerkang, unit):
    """松岗镇 and 党坝乡 with their governments and offices (the demo register's pattern), and two county departments."""
    from xiangcun.bodies import demo
    from xiangcun.bodies.services import department_body

    for name in ("松岗镇", "党坝乡"):
        demo._township(unit(name))
    department_body(maerkang, "应急")
    department_body(maerkang, "住建")
    return maerkang


@pytest.fixture
def office_user(maerkang, make_user):
    return make_user("office", Role.REFORM_OFFICE, maerkang)


@pytest.fixture
def template(offices, maerkang):
    """The county's published 权责清单 template: three items, carried by offices named by their short names."""
    from xiangcun.governance import services
    from xiangcun.governance.models import DutyItem, ListKind

    lst = services.create_list(None, maerkang, ListKind.DUTIES)
    for name, category, office in (("占道经营的行政处罚", "penalty", "综合行政执法办公室"),
                                   ("特困人员供养待遇给付", "benefit", "社会事务办公室"),
                                   ("村级财务公开监督", "other_power", "党政综合办公室")):
        DutyItem.objects.create(list=lst, name=name, category=category, office_name=office, legal_basis="依据",
                                duties="受理、办理", accountability="不作为的")
    return services.publish(None, lst, "马府办发〔2024〕12号", dt.date(2024, 3, 1))

"""The permission matrix's data for the services module (see core/tests/test_matrix.py): what each URL is
called with and what a permitted user gets (`Case`), and the objects of its own kinds (`OBJECTS`)."""
from xiangcun.core.tests.matrix import Case, made_once

CASES = {
    "services:case": Case(obj="service_case"),
    "services:case_transition": Case(obj="service_case", method="post", ok=302),
    "services:case_pii": Case(obj="service_case_pii", method="post"),
    "services:item": Case(obj="service_item"),
    "services:list": Case(obj="service_list"),
    "services:list_export": Case(obj="service_list"),
    # an empty new version is refused on the list page itself (400), with what was entered kept
    "services:list_version": Case(obj="service_list", method="post", ok=400),
    "services:point_edit": Case(obj="service_point"),
    "services:point_active": Case(obj="service_point", method="post", ok=302),
    # REST API
    "service-case-detail": Case(obj="service_case"),
    "service-case-transition": Case(obj="service_case", method="post", ok=400),
    "service-item-detail": Case(obj="service_item"),
}


def _objects(users, unit):
    """A case taken at 松岗村 (in 松岗镇) and one at 党坝村 (in 党坝乡), a service point in each; an item and
    a list (published)."""
    import datetime as dt

    from xiangcun.accounts.models import Role, User

    from .. import casework
    from ..models import ItemLevel, ItemList, PointKind, ServiceItem, ServicePoint, UnitType

    item = ServiceItem.objects.create(code="MX-001", name="高龄津贴申请", category="民政", level=ItemLevel.TOWNSHIP,
                                      department="民政", time_limit=5, materials="身份证\n户口簿")
    lst = ItemList.objects.create(name="乡镇事项清单", unit_type=UnitType.TOWNSHIP, effective_from=dt.date(2021, 1, 1))
    lst.items.add(item)
    out = {"service_case": {}, "service_item": {"sg": item.pk, "db": item.pk},
           "service_list": {"sg": lst.pk, "db": lst.pk}, "service_point": {}}
    for label, village in (("sg", "松岗村"), ("db", "党坝村")):
        agent = users["agent"] if label == "sg" else User.objects.create_user(
            f"mx_agent_{label}", password="x", role=Role.VILLAGE_AGENT, jurisdiction=unit(village))
        case = casework.take_case(agent, unit(village), item, "张三", "11010519491231002X")
        out["service_case"][label] = case.pk
        point = ServicePoint.objects.create(name=f"{village}便民服务室", kind=PointKind.ROOM, unit=unit(village))
        out["service_point"][label] = point.pk
    return out


_kind = made_once(_objects)  # the objects are made once per matrix world


OBJECTS = {
    "service_case": ("area", _kind("service_case")),
    # the resident in full: only the agent who took the case (the 松岗村 agent took "sg") and the body it is
    # forwarded to (neither case is forwarded yet; administrators act for any handler) — others get 404
    "service_case_pii": ({"admin": {"sg", "db"}, "agent": {"sg"}, "office": set(), "minzheng": set(),
                          "caizheng": set(), "analyst": set(), "songgang": set(), "dangba": set()},
                         _kind("service_case")),
    "service_item": ("public", _kind("service_item")),
    "service_list": ("public", _kind("service_list")),
    "service_point": ("area", _kind("service_point")),
}

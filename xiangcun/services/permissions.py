"""Who may use which URL of the convenience-services module.

Village agents take cases and deliver results; township staff and county departments handle the
cases forwarded to them; the reform office (政务服务 office) keeps the catalogue, lists, network and
holiday calendar. Everyone reads within their jurisdiction; item lists are published to all.
"""
from xiangcun.core.access import Access

from .services import may_edit_catalogue, may_see_full_pii, may_take_cases, may_work_cases

URLS = {
    "services:queue": Access(),
    "services:case_new": Access(allowed=may_take_cases),
    "services:case": Access(obj="service_case"),
    "services:case_transition": Access(allowed=may_work_cases, obj="service_case", method="post", ok=302),
    "services:case_pii": Access(allowed=may_see_full_pii, obj="service_case", method="post"),
    "services:case_export": Access(),
    "services:items": Access(),
    "services:item": Access(obj="service_item"),
    "services:item_export": Access(),
    "services:item_import": Access(allowed=may_edit_catalogue),
    "services:item_template": Access(),
    "services:lists": Access(),
    "services:list": Access(obj="service_list"),
    "services:list_export": Access(obj="service_list"),
    "services:list_version": Access(allowed=may_edit_catalogue, obj="service_list", method="post", ok=302),
    "services:list_new": Access(allowed=may_edit_catalogue),
    "services:network": Access(),
    "services:network_export": Access(),
    "services:point_new": Access(allowed=may_edit_catalogue),
    "services:point_edit": Access(allowed=may_edit_catalogue, obj="service_point"),
    "services:point_active": Access(allowed=may_edit_catalogue, obj="service_point", method="post", ok=302),
    "services:holidays": Access(),
    "services:measures": Access(),
    "services:measures_export": Access(),
    # REST API
    "service-case-list": Access(),
    "service-case-detail": Access(obj="service_case"),
    "service-case-transition": Access(allowed=may_work_cases, obj="service_case", method="post", ok=400),
    "service-case-measures": Access(),
    "service-item-list": Access(),
    "service-item-detail": Access(obj="service_item"),
    "service-point-list": Access(),
}


def _objects(users, unit):
    """A case taken at 松岗村 (in 松岗镇) and one at 党坝村 (in 党坝乡), a service point in each; an item and
    a list (published)."""
    from xiangcun.accounts.models import Role, User

    from . import services
    from .models import ItemLevel, ItemList, PointKind, ServiceItem, ServicePoint, UnitType
    import datetime as dt

    item = ServiceItem.objects.create(code="MX-001", name="高龄津贴申请", category="民政", level=ItemLevel.TOWNSHIP,
                                      department="民政", time_limit=5, materials="身份证\n户口簿")
    lst = ItemList.objects.create(name="乡镇事项清单", unit_type=UnitType.TOWNSHIP, effective_from=dt.date(2021, 1, 1))
    lst.items.add(item)
    out = {"service_case": {}, "service_item": {"sg": item.pk, "db": item.pk},
           "service_list": {"sg": lst.pk, "db": lst.pk}, "service_point": {}}
    for label, village in (("sg", "松岗村"), ("db", "党坝村")):
        agent = users["agent"] if label == "sg" else User.objects.create_user(
            f"mx_agent_{label}", password="x", role=Role.VILLAGE_AGENT, jurisdiction=unit(village))
        case = services.take_case(agent, unit(village), item, "张三", "11010519491231002X")
        out["service_case"][label] = case.pk
        point = ServicePoint.objects.create(name=f"{village}便民服务室", kind=PointKind.ROOM, unit=unit(village))
        out["service_point"][label] = point.pk
    return out


_made = {"users": None, "objects": None}


def _kind(kind):
    def factory(users, unit):
        if _made["users"] is not users:
            _made["users"], _made["objects"] = users, _objects(users, unit)
        return _made["objects"][kind]
    return factory


MATRIX_OBJECTS = {
    "service_case": ("area", _kind("service_case")),
    "service_item": ("public", _kind("service_item")),
    "service_list": ("public", _kind("service_list")),
    "service_point": ("area", _kind("service_point")),
}

"""What each role may do in the indicators module, and its URLs.

The county (administrators and the reform office) keeps the catalogue, the 薄弱村 threshold and the
targets. Township staff, county departments and the office enter values and the collective-economy
ledger for the units in their jurisdiction. Everyone but village agents reads the dashboard and
statistics of their own jurisdiction; the catalogue is public to every signed-in user.
"""
from xiangcun.core.access import Access

from .services import may_enter, may_manage, may_read_reports

URLS = {
    "indicators:dashboard": Access(allowed=may_read_reports),
    "indicators:report": Access(allowed=may_read_reports),
    "indicators:elements": Access(),
    "indicators:element_new": Access(allowed=may_manage),
    "indicators:element_edit": Access(allowed=may_manage, obj="indicator_element"),
    "indicators:values": Access(allowed=may_read_reports),
    "indicators:export": Access(allowed=may_read_reports),
    "indicators:import": Access(allowed=may_enter, query={"period": "2022"}),
    "indicators:entry": Access(allowed=may_enter, obj="village", kwargs={"period": "2022"}),
    "indicators:unit": Access(allowed=may_read_reports, obj="village"),
    "indicators:collective": Access(allowed=may_read_reports),
    "indicators:collective_edit": Access(allowed=may_enter, obj="village", kwargs={"year": 2022}),
    "indicators:threshold": Access(allowed=may_manage, method="post", ok=302),
    "indicators:collective_export": Access(allowed=may_read_reports),
    "indicators:collective_import": Access(allowed=may_enter),
    "indicators:targets": Access(allowed=may_read_reports),
    "indicators:target_new": Access(allowed=may_manage),
    "indicators:target_edit": Access(allowed=may_manage, obj="indicator_target"),
    # REST API
    "indicator-element-list": Access(),
    "indicator-value-list": Access(allowed=may_read_reports),
    "indicator-value-detail": Access(allowed=may_read_reports, obj="indicator_value"),
    "indicator-value-aggregate": Access(allowed=may_read_reports, query={"element": "POP", "period": "2022"}),
}


def _catalogue():
    # a transactional test elsewhere in the session may have flushed the migration's seeded rows
    from .catalogue import seed
    from .models import DataElement

    seed(DataElement)


def _targets(users, unit):
    import datetime as dt

    from .models import DataElement, Target

    _catalogue()
    element = DataElement.objects.get(code="ROAD_HARD_RATE")
    out = {}
    for label, township in (("sg", "松岗镇"), ("db", "党坝乡")):
        t = Target.objects.create(unit=unit(township), element=element, period="2022", value=100, owner=f"{township}人民政府",
                                  start_date=dt.date(2021, 1, 1), due_date=dt.date(2022, 12, 31))
        out[label] = t.pk
    return out


def _values(users, unit):
    from . import services

    _catalogue()
    out = {}
    for label, village in (("sg", "松岗村"), ("db", "党坝村")):
        services.save_values(users["office"], unit(village), "2022", {"POP": "900"})
        from .models import DataValue

        out[label] = DataValue.objects.get(unit=unit(village), period="2022", element__code="POP").pk
    return out


def _elements(users, unit):
    from .models import DataElement

    _catalogue()
    return {"sg": DataElement.objects.get(code="POP").pk, "db": DataElement.objects.get(code="ROAD_HARD_RATE").pk}


MATRIX_OBJECTS = {
    "indicator_target": ("area", _targets),
    "indicator_value": ("area", _values),
    "indicator_element": ("public", _elements),
}

"""The permission matrix's data for the indicators module (see core/tests/test_matrix.py): what each URL is
called with and what a permitted user gets (`Case`), and the objects of its own kinds (`OBJECTS`)."""
from xiangcun.core.tests.matrix import Case

CASES = {
    "indicators:element_edit": Case(obj="indicator_element"),
    "indicators:import": Case(query={"period": "2022"}),
    "indicators:entry": Case(obj="village", kwargs={"period": "2022"}),
    "indicators:unit": Case(obj="village"),
    "indicators:collective_edit": Case(obj="village", kwargs={"year": 2022}),
    "indicators:threshold": Case(method="post", ok=400),  # empty: refused on the page
    "indicators:target_edit": Case(obj="indicator_target"),
    # REST API
    "indicator-value-detail": Case(obj="indicator_value"),
    "indicator-value-aggregate": Case(query={"element": "POP", "period": "2022"}),
}


def _catalogue():
    # a transactional test elsewhere in the session may have flushed the migration's seeded rows
    from ..catalogue import seed
    from ..models import DataElement

    seed(DataElement)


def _targets(users, unit):
    import datetime as dt

    from ..models import DataElement, Target

    _catalogue()
    element = DataElement.objects.get(code="ROAD_HARD_RATE")
    out = {}
    for label, township in (("sg", "松岗镇"), ("db", "党坝乡")):
        t = Target.objects.create(unit=unit(township), element=element, period="2022", value=100, owner=f"{township}人民政府",
                                  start_date=dt.date(2021, 1, 1), due_date=dt.date(2022, 12, 31))
        out[label] = t.pk
    return out


def _values(users, unit):
    from .. import services

    _catalogue()
    out = {}
    for label, village in (("sg", "松岗村"), ("db", "党坝村")):
        services.save_values(users["office"], unit(village), "2022", {"POP": "900"})
        from ..models import DataValue

        out[label] = DataValue.objects.get(unit=unit(village), period="2022", element__code="POP").pk
    return out


def _elements(users, unit):
    from ..models import DataElement

    _catalogue()
    return {"sg": DataElement.objects.get(code="POP").pk, "db": DataElement.objects.get(code="ROAD_HARD_RATE").pk}


OBJECTS = {
    "indicator_target": ("area", _targets),
    "indicator_value": ("area", _values),
    "indicator_element": ("public", _elements),
}

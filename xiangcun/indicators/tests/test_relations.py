"""Relations between elements (part ≤ whole, declared in the catalogue): refused at entry and at Excel
import naming both fields; stored values that break one are never shown as a rate above 100 % silently."""
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from xiangcun.indicators import aggregate, dashboard, services
from xiangcun.indicators.models import DataElement, DataValue


def test_the_catalogue_declares_part_not_above_whole(db):
    assert DataElement.objects.get(code="TOILET_HH").not_above.code == "HOUSEHOLDS"
    assert DataElement.objects.get(code="HOUSE_FIXED").not_above.code == "HOUSE_HAZARD"


def test_a_part_above_its_whole_is_refused_and_nothing_is_written(people, unit):
    sg = people["songgang"]
    with pytest.raises(ValidationError) as exc:
        services.save_values(sg, unit("松岗村"), "2023", {"HOUSEHOLDS": "300", "TOILET_HH": "900", "POP": "1000"})
    assert exc.value.message_dict == {"TOILET_HH": ["卫生厕所户数(900)不能大于户籍户数(300)"]}
    assert not DataValue.objects.filter(unit=unit("松岗村"), period="2023").exists()


def test_the_stored_whole_counts_when_only_the_part_is_written(people, unit):
    sg = people["songgang"]
    services.save_values(sg, unit("松岗村"), "2023", {"HOUSEHOLDS": "300"})
    with pytest.raises(ValidationError) as exc:
        services.save_values(sg, unit("松岗村"), "2023", {"TOILET_HH": "900"}, clear_blank=False)
    assert "卫生厕所户数(900)不能大于户籍户数(300)" in exc.value.message_dict["TOILET_HH"]
    services.save_values(sg, unit("松岗村"), "2023", {"TOILET_HH": "280"}, clear_blank=False)
    with pytest.raises(ValidationError) as exc:  # lowering the whole below the stored part
        services.save_values(sg, unit("松岗村"), "2023", {"HOUSEHOLDS": "200"}, clear_blank=False)
    assert exc.value.message_dict == {"HOUSEHOLDS": ["卫生厕所户数(280)不能大于户籍户数(200)"]}


def test_the_entry_form_shows_the_reason_beside_the_field(client, people, unit):
    client.force_login(people["songgang"])
    url = reverse("indicators:entry", args=[unit("松岗村").pk, "2023"])
    body = client.post(url, {"HOUSEHOLDS": "300", "TOILET_HH": "900"}).content.decode()
    assert "卫生厕所户数(900)不能大于户籍户数(300)" in body and "尚未保存任何数据" in body
    assert not DataValue.objects.filter(unit=unit("松岗村"), period="2023").exists()


def test_the_excel_import_refuses_the_row_naming_both_fields(client, people, unit):
    from openpyxl import Workbook

    client.force_login(people["songgang"])
    wb = Workbook()
    ws = wb.active
    ws.append(["单位代码", "单位名称", "户籍户数(户)", "卫生厕所户数(户)"])
    ws.append([unit("松岗村").code, "松岗村", 300, 900])
    ws.append([unit("直波村").code, "直波村", 200, 150])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "values.xlsx"
    url = reverse("indicators:import") + "?period=2023&level=5"
    body = client.post(url, {"file": out}, follow=True).content.decode()
    assert "卫生厕所户数(900)不能大于户籍户数(300)" in body
    assert not DataValue.objects.filter(period="2023").exists()


def test_stored_values_above_the_whole_are_flagged_not_shown_as_a_plain_rate(people, unit, maerkang):
    element = {e.code: e for e in DataElement.objects.filter(code__in=["HOUSEHOLDS", "TOILET_HH", "TOILET_RATE"])}
    # written before the relation was checked (bulk, as an old import would have)
    for code, n in (("HOUSEHOLDS", 300), ("TOILET_HH", 900)):
        DataValue.objects.create(element=element[code], unit=unit("松岗村"), period="2023", number=Decimal(n))
    geo = aggregate.Geography.on(maerkang)
    value = aggregate.value_at(element["TOILET_RATE"], "2023", geo, unit("松岗村").pk)
    assert value == pytest.approx(300.0)
    assert dashboard.fmt(element["TOILET_RATE"], value) == "300%(数据有误:超过100%)"
    assert dashboard.fmt(element["TOILET_RATE"], 99.95) == "100%"
    trend = dashboard.trends(unit("松岗镇"), "2023", geo)
    toilet = next(s for s in trend["series"] if s["name"].startswith("卫生厕所普及率"))
    assert toilet["name"] == "卫生厕所普及率(数据有误:超过100%)" and toilet["data"][-1] == 300


def test_the_catalogue_form_refuses_a_relation_across_levels(client, people):
    from xiangcun.indicators.forms import ElementForm

    toilet = DataElement.objects.get(code="TOILET_HH")
    data = {f: getattr(toilet, f) for f in ("code", "name", "unit", "category", "value_type", "level", "period_type",
                                           "aggregation", "order")}
    data.update(active=True, not_above=DataElement.objects.get(code="AGRI_PARKS").pk)
    form = ElementForm(data, instance=toilet)
    assert not form.is_valid()
    assert "采集层级或期间类型与本指标不同" in form.errors["not_above"][0]
    household = DataElement.objects.get(code="HOUSEHOLDS")
    data2 = {f: getattr(household, f) for f in ("code", "name", "unit", "category", "value_type", "level",
                                                "period_type", "aggregation", "order")}
    data2.update(active=True, not_above=toilet.pk)
    form = ElementForm(data2, instance=household)
    assert not form.is_valid() and "循环" in form.errors["not_above"][0]

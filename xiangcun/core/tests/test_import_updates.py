"""Every importer in the product gets the framework's update rule: a blank cell keeps the stored value,
(清空) clears a nullable one, and the preview's rows carry the changes (field: old → new)."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from xiangcun.accounts.models import Role
from xiangcun.divisions.models import Division


def xlsx(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(importer, rows):
    result = importer.parse(xlsx(rows))
    assert result.ok, result.errors
    counts = importer.import_rows(result.rows)
    assert not counts.errors, counts.errors
    return result


@pytest.fixture
def admin(maerkang, make_user):
    return make_user("admin", Role.ADMIN, maerkang)


def test_facility_blank_cells_keep_values_and_clear_empties_coordinates(admin, unit):
    from xiangcun.facilities.imports import FacilityImporter
    from xiangcun.facilities.models import Facility

    village = unit("松岗村")
    f = Facility.objects.create(unit=village, name="松岗村小", type="primary", lon=102.1, lat=31.9, classes=6,
                                enrolment=120, staff=9, built_year=1998, note="老校舍")
    imp = FacilityImporter(scope=Division.objects.all(), user=admin)
    result = run(imp, [["设施名称", "类型", "所在单位代码", "经度", "在校生/在园幼儿"],
                       ["松岗村小", "小学", village.code, "(清空)", 130]])
    assert result.rows[0].changes == [("经度", "102.1", "—"), ("在校生/在园幼儿", "120", "130")]
    f.refresh_from_db()
    assert (f.lon, f.lat, f.classes, f.enrolment, f.staff, f.built_year, f.note) == (None, 31.9, 6, 130, 9, 1998, "老校舍")
    refused = FacilityImporter(scope=Division.objects.all(), user=admin).parse(xlsx(
        [["设施名称", "类型", "所在单位代码", "班级数"], ["松岗村小", "小学", village.code, "(清空)"]]))
    assert refused.errors[0].reason == "该列不能清空,请填写数值;不修改请留空"


def test_cohort_blank_cells_keep_the_stored_counts_instead_of_zero(admin, unit):
    from xiangcun.facilities.imports import CohortImporter
    from xiangcun.facilities.models import Cohort

    village = unit("松岗村")
    Cohort.objects.create(unit=village, year=2023, age_3_5=10, age_6_11=100, age_12_14=40, total=1000)
    imp = CohortImporter(scope=Division.objects.all(), user=admin)
    result = run(imp, [["村(社区)代码", "年度", "6–11岁"], [village.code, 2023, 110]])
    assert result.rows[0].outcome == "updated" and result.rows[0].changes == [("6–11岁", "100", "110")]
    c = Cohort.objects.get(unit=village, year=2023)
    assert (c.age_3_5, c.age_6_11, c.age_12_14, c.total) == (10, 110, 40, 1000)


def test_villager_group_blank_population_is_kept(maerkang, unit):
    from xiangcun.divisions.imports import GroupImporter
    from xiangcun.divisions.models import Kind
    from xiangcun.divisions.services import create_unit

    village = unit("松岗村")
    create_unit("一组", Kind.VILLAGER_GROUP, village, dt.date(2020, 1, 1), households=30, population=120)
    result = run(GroupImporter(scope=Division.objects.all()),
                 [["村民小组名称", "所属村代码", "户数", "人口"], ["一组", village.code, 32, None]])
    assert result.rows[0].changes == [("户数", "30", "32")]
    group = Division.objects.get(parent=village, name="一组", valid_to__isnull=True)
    assert (group.households, group.population) == (32, 120)


def test_service_item_blank_text_is_kept_not_emptied(db):
    from xiangcun.services.imports import ItemImporter
    from xiangcun.services.models import ServiceItem

    ServiceItem.objects.create(code="T-1", name="高龄津贴申请", category="民政", level="township", department="民政",
                               legal_basis="《四川省高龄津贴办法》", materials="身份证\n户口簿", time_limit=5, fee="不收费")
    result = run(ItemImporter(), [["事项编码", "事项名称", "事项类别", "办理层级", "责任部门", "承诺时限"],
                                  ["T-1", "高龄津贴申请", "民政", "乡镇(街道)便民服务中心", "民政", 3]])
    assert result.rows[0].changes == [("承诺时限(工作日)", "5", "3")]
    item = ServiceItem.objects.get(code="T-1")
    assert (item.legal_basis, item.materials, item.time_limit) == ("《四川省高龄津贴办法》", "身份证\n户口簿", 3)


def test_collective_blank_amounts_are_kept_not_zeroed(admin, unit):
    from xiangcun.indicators import services
    from xiangcun.indicators.catalogue import seed
    from xiangcun.indicators.imports import CollectiveImporter
    from xiangcun.indicators.models import CollectiveEconomy, DataElement

    seed(DataElement)
    village = unit("松岗村")
    services.save_collective(admin, village, 2023, total_income=Decimal("200000"), business_income=Decimal("80000"),
                             assets=Decimal("1500000"))
    result = run(CollectiveImporter(Division.objects.all(), admin),
                 [["村代码", "年度", "负债总额(元)"], [village.code, 2023, 30000]])
    assert result.rows[0].changes == [("负债总额(元)", "0", "30000")]
    record = CollectiveEconomy.objects.get(village=village, year=2023)
    assert (record.total_income, record.business_income, record.assets, record.liabilities) == (
        Decimal("200000"), Decimal("80000"), Decimal("1500000"), Decimal("30000"))


def test_indicator_value_clear_mark_removes_a_stored_value_and_blank_keeps_it(admin, unit):
    from xiangcun.divisions.models import Level
    from xiangcun.indicators import services
    from xiangcun.indicators.catalogue import seed
    from xiangcun.indicators.imports import ValueImporter
    from xiangcun.indicators.models import DataElement, DataValue

    seed(DataElement)
    village = unit("松岗村")
    services.save_values(admin, village, "2023", {"POP": "820", "HOUSEHOLDS": "205"})
    imp = ValueImporter(Division.objects.all(), admin, Level.VILLAGE, "2023")
    pop = next(c.header for c in imp.columns if c.field == "POP")
    households = next(c.header for c in imp.columns if c.field == "HOUSEHOLDS")
    result = run(imp, [["单位代码", pop, households], [village.code, "(清空)", None]])
    assert result.rows[0].outcome == "updated" and result.rows[0].changes[0][1:] == ("820", "—")
    stored = dict(DataValue.objects.filter(unit=village, period="2023").values_list("element__code", "number"))
    assert "POP" not in stored and stored["HOUSEHOLDS"] == Decimal("205")

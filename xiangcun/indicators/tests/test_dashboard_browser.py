"""The dashboard in headless Chromium: it opens on the latest year people entered, says how complete
that year is, states the coverage of a partly reported township instead of ranking it, and prints."""
import datetime as dt
import re
from decimal import Decimal

import pytest

from conftest import sign_in
from xiangcun.accounts.models import Role

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_opens_on_data_states_coverage_and_prints(page, maerkang, unit, make_user, tmp_path):  # noqa: F811
    from xiangcun.divisions import geo
    from xiangcun.indicators import aggregate, catalogue, services
    from xiangcun.indicators.models import DataElement, DataValue, Target

    catalogue.seed(DataElement)
    geo.generate_demo_geometry(maerkang)
    office = make_user("office", Role.REFORM_OFFICE, maerkang)
    tree = aggregate.Geography.on(maerkang)
    for v in tree.under(unit("党坝乡").pk, 5):  # every village of 党坝乡 reported
        services.save_values(office, tree.versions[v].division, "2022", {"ROAD_HARD": "是", "HOUSEHOLDS": "100"})
    services.save_values(office, unit("松岗村"), "2022", {"ROAD_HARD": "是", "HOUSEHOLDS": "100"})  # 1 of n
    n = len(tree.under(unit("松岗镇").pk, 5))
    expected = len(tree.under(maerkang.pk, 5))
    reported = len(tree.under(unit("党坝乡").pk, 5)) + 1
    # the asset ledger mirrors rents into the current year: not a year with data
    DataValue.objects.create(element=DataElement.objects.get(code="CE_ASSET_RENT"), unit=unit("松岗村"),
                             period=str(dt.date.today().year), number=Decimal("2"))
    for township in ("松岗镇", "党坝乡"):
        Target.objects.create(unit=unit(township), element=DataElement.objects.get(code="ROAD_HARD_RATE"), period="2022",
                              value=100, owner=f"{township}人民政府", start_date=dt.date(2021, 1, 1), due_date=dt.date(2022, 12, 31))

    sign_in(page, "office")
    page.click(".sidebar >> text=改革驾驶舱")
    page.wait_for_selector("#completeness")
    assert page.input_value("select[name=year]") == "2022"
    assert page.inner_text("#completeness") == f"2022年:已报 {reported}/{expected} 个村(社区)"
    row = page.inner_text("#unit-table tr:has-text('松岗镇')")
    assert f"100%(已报1/{n})" in row and "14.3%" not in row
    ranking = page.inner_text("#ranking")
    assert re.search(r"1\s+党坝乡", ranking)
    assert f"数据不全(1/{n}),不参与排名" in page.inner_text("#ranking tr:has-text('松岗镇')")
    assert "逾期未完成" not in page.inner_text("#flagged-targets")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    page.goto(page.base + "/indicators/?year=2018")
    assert "2018年没有指标数据" in page.inner_text("#year-notice")
    page.goto(page.base + "/indicators/")

    with page.context.expect_page() as opened:
        page.click("#print-link")
    sheet = opened.value
    sheet.wait_for_selector("#choropleth path.leaflet-interactive")
    sheet.wait_for_selector("[data-line-chart] canvas")
    assert sheet.inner_text("#print-title") == "马尔康市乡村两项改革“后半篇”工作推进情况"
    meta = sheet.inner_text("#print-meta")
    today = dt.date.today()
    assert "范围:马尔康市" in meta and "期间:2022年" in meta and f"打印日期:{today.year}年{today.month}月{today.day}日" in meta
    assert sheet.locator(".sidebar, .topbar").count() == 0  # no navigation
    assert sheet.locator("#kpis .print-kpi").count() == DataElement.objects.filter(is_key=True, active=True).count()
    assert "松岗镇" in sheet.inner_text("#unit-table")
    sheet.emulate_media(media="print")
    assert not sheet.is_visible("#print-now")  # the toolbar is not printed
    sheet.screenshot(path=str(tmp_path / "print.png"), full_page=True)
    pdf = sheet.pdf(prefer_css_page_size=True, print_background=True)
    width, height = (float(x) for x in re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, from the page's own @page rule


@pytest.mark.django_db(transaction=True)
def test_a_part_above_its_whole_is_refused_beside_the_field_in_the_browser(page, maerkang, unit, make_user):  # noqa: F811
    from xiangcun.indicators import catalogue
    from xiangcun.indicators.models import DataElement, DataValue

    catalogue.seed(DataElement)
    make_user("songgang", Role.TOWNSHIP, unit("松岗镇"))
    sign_in(page, "songgang")
    page.goto(page.base + f"/indicators/entry/{unit('松岗村').pk}/2023/")
    page.fill("#f-HOUSEHOLDS", "300")
    page.fill("#f-TOILET_HH", "900")
    page.click("#entry-save")
    page.wait_for_selector(".field-error")
    assert "卫生厕所户数(900)不能大于户籍户数(300)" in page.inner_text("tr:has(#f-TOILET_HH)")
    assert not DataValue.objects.filter(unit=unit("松岗村"), period="2023").exists()
    page.fill("#f-TOILET_HH", "280")
    page.click("#entry-save")
    page.wait_for_selector("text=已保存松岗村2023年指标")
    assert DataValue.objects.get(unit=unit("松岗村"), period="2023", element__code="TOILET_HH").number == 280

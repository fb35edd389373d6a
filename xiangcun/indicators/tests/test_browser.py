"""The main flow in headless Chromium: a township enters its villages' 2022 values and collective economy;
the county sees the 空壳村 list, the choropleth and the ranking, and downloads the meeting report."""
import datetime as dt
import io

import pytest

from conftest import sign_in
from xiangcun.accounts.models import Role

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_township_enters_2022_and_the_county_reviews(page, maerkang, unit, make_user, tmp_path):
    from xiangcun.divisions import geo
    from xiangcun.indicators import catalogue, services
    from xiangcun.indicators.models import DataElement, DataValue, Target

    catalogue.seed(DataElement)  # a transactional test database starts without the migration's rows
    geo.generate_demo_geometry(maerkang)
    office = make_user("office", Role.REFORM_OFFICE, maerkang)
    make_user("songgang", Role.TOWNSHIP, unit("松岗镇"))
    for township in ("松岗镇", "党坝乡"):
        Target.objects.create(unit=unit(township), element=DataElement.objects.get(code="ROAD_HARD_RATE"), period="2022",
                              value=100, owner=f"{township}人民政府", start_date=dt.date(2021, 1, 1), due_date=dt.date(2022, 12, 31))
    services.save_values(office, unit("党坝村"), "2022", {"ROAD_HARD": "否"})

    sign_in(page, "songgang")
    page.click(".sidebar >> text=指标填报")
    page.select_option("select[name=year]", "2022")
    page.wait_for_selector("text=松岗镇 · 2022年")
    page.click("#value-units tr:has-text('松岗村') >> text=填报")
    page.fill("#f-POP", "很多")
    page.select_option("#f-ROAD_HARD", "是")
    # scrolled down to the form's last field, the panel with 保存 stays in view below the top bar, not under it
    covered = page.evaluate("""() => {
        const fields = document.querySelectorAll('#entry-form input, #entry-form select');
        fields[fields.length - 1].scrollIntoView({block: 'end', behavior: 'instant'});
        const r = document.getElementById('entry-save').getBoundingClientRect();
        const e = document.elementFromPoint(r.left + r.width / 2, r.top + 2);
        return [Math.round(r.top), e ? e.id : null]; }""")
    assert covered[0] > 52 and covered[1] == "entry-save", covered
    page.click("#entry-save")
    assert "不是数字" in page.inner_text(".field-error")
    assert not DataValue.objects.filter(unit=unit("松岗村")).exists()
    page.fill("#f-POP", "1200")
    page.select_option("#f-PLAN_VILLAGE", "是")
    page.screenshot(path=str(tmp_path / "entry.png"), full_page=True)
    page.click("#entry-save")
    page.wait_for_selector("text=已保存松岗村2022年指标")
    assert DataValue.objects.filter(unit=unit("松岗村"), period="2022").count() == 3

    page.goto(page.base + f"/indicators/collective/{unit('松岗村').pk}/2022/")
    page.fill("#id_total_income", "30000")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=空壳村")

    sign_in(page, "office")
    page.click(".sidebar >> text=改革驾驶舱")
    page.select_option("select[name=year]", "2022")
    page.wait_for_selector("#hollow-list")
    assert "松岗村" in page.inner_text("#hollow-list")
    assert "乡镇" in page.inner_text(".reform-text")
    page.select_option("#map-form select[name=element]", "ROAD_HARD_RATE")
    page.wait_for_selector("#choropleth path.leaflet-interactive")
    assert "硬化路通达率" in page.inner_text("#choropleth .map-legend")
    ranking = page.inner_text("#ranking")
    assert ranking.index("松岗镇") < ranking.index("党坝乡")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert page.input_value("#report-asof") == f"{dt.date.today():%Y-%m-%d}"
    page.fill("#report-asof", "2020-06-29")  # the day before 卓克基镇 was merged into 马尔康镇
    with page.expect_download() as info:
        page.click("#report-download")
    path = info.value.path()
    from docx import Document

    doc = Document(io.BytesIO(open(path, "rb").read()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "改革基本情况" in text and "空壳村" in text and "松岗村" in text
    assert "按 2020年6月29日 区划口径" in text
    assert "卓克基镇" in [row.cells[0].text for t in doc.tables for row in t.rows]
    assert len(doc.inline_shapes) >= 4  # reform counts, trends, indicators by township, target progress

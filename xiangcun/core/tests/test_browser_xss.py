"""Names from data (assets, service points, units) reach every map and chart as text: a hostile name
shows literally, creates no element and runs no script — even one loading an uploaded attachment."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from xiangcun.accounts.models import Role
from xiangcun.divisions.tests.test_browser import page, sign_in  # noqa: F401  (the shared browser fixture)

pytestmark = [pytest.mark.browser]

# opens every tooltip of the map's layers (what hovering does) and reports what the tooltips hold
OPEN_TOOLTIPS = """async (el) => {
  const { map } = await window.xcMap.ready(el);
  map.eachLayer(l => {
    if (!l.getTooltip || !l.getTooltip()) return;
    l.openTooltip(l.getLatLng ? l.getLatLng() : l.getBounds().getCenter());
  });
  await new Promise(r => setTimeout(r, 300));
  const tips = Array.from(document.querySelectorAll('.leaflet-tooltip'));
  return { texts: tips.map(t => t.textContent), elements: tips.map(t => t.querySelectorAll('img, iframe, script').length) };
}"""


def payload(att_pk):
    return f'<iframe srcdoc="<script src=/assets/attachments/{att_pk}/></script>"></iframe><img src=x class=xss>'


@pytest.mark.django_db(transaction=True)
def test_hostile_names_render_as_text_on_every_map_and_run_nothing(page, maerkang, unit, make_user, tmp_path):  # noqa: F811
    from xiangcun.assets import services as assets
    from xiangcun.assets.models import Attachment
    from xiangcun.divisions import geo
    from xiangcun.divisions.models import ChangeEvent, Division
    from xiangcun.services.models import PointKind, ServicePoint

    geo.generate_demo_geometry(maerkang)
    make_user("office", Role.REFORM_OFFICE, maerkang)
    caizheng = make_user("caizheng", Role.DEPARTMENT, maerkang, department="财政")
    carrier = assets.create_asset(caizheng, "X-000", name="附件载体", category="office", holder=unit("松岗镇"),
                                  floor_area=Decimal("10"), valuation=Decimal("1"), valuation_date=dt.date(2023, 5, 1))
    att = Attachment(asset=carrier, name="evil.js", size=40, uploaded_by=caizheng)
    att.file.save("evil.js", ContentFile(b"window.top.__xss = 'attachment script ran';"), save=True)
    evil = payload(att.pk)
    asset = assets.create_asset(caizheng, "X-001", name=evil, category="office", holder=unit("松岗镇"),
                                floor_area=Decimal("10"), valuation=Decimal("1"), valuation_date=dt.date(2023, 5, 1),
                                lon=102.2, lat=31.9)
    ServicePoint.objects.create(name=evil, kind=PointKind.ROOM, unit=unit("松岗村"), lon=102.25, lat=31.95)
    village = unit("松岗村")
    Division.objects.filter(pk__in=[village.pk, unit("松岗镇").pk]).update(name=evil)  # unit names on every map
    merged = ChangeEvent.objects.filter(successors=village, type="merge").exists()

    sign_in(page, "office")
    page.evaluate("window.__xss = undefined")
    maps = ["/assets/map/", f"/assets/{asset.pk}/", "/services/network/", "/services/measures/", "/divisions/map/",
            "/indicators/", "/facilities/"]
    seen = {}
    for i, url in enumerate(maps):
        page.goto(page.base + url)
        el = page.wait_for_selector("[data-map]")
        page.wait_for_selector("[data-map] .leaflet-pane", state="attached")
        result = page.evaluate(OPEN_TOOLTIPS, el)
        seen[url] = result
        assert not any(result["elements"]), f"{url}: a name became HTML elements"
        assert any(evil in t for t in result["texts"]), f"{url}: the hostile name is not shown as text"
        assert page.evaluate("window.__xss") is None, url
        assert page.locator("img.xss, iframe").count() == 0, url
        page.screenshot(path=str(tmp_path / f"map{i}.png"), full_page=True)
    # hovering the asset's marker with the mouse, as the administrator would
    page.goto(page.base + "/assets/map/")
    el = page.wait_for_selector("[data-map]")
    tips = []
    for _attempt in range(4):  # a loaded machine may still be fitting the map when the marker is first measured
        box = page.evaluate("""async (el) => { const { map } = await window.xcMap.ready(el);
            el.scrollIntoView({ block: 'center' });
            await new Promise(r => setTimeout(r, 250));
            let marker = null;
            map.eachLayer(l => { if (l instanceof L.CircleMarker && l._path) marker = l; });
            map.setView(marker.getLatLng(), map.getZoom(), { animate: false });
            await new Promise(r => setTimeout(r, 100));
            const rect = marker._path.getBoundingClientRect();
            return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }; }""", el)
        page.mouse.move(box["x"] - 30, box["y"] - 30)
        page.mouse.move(box["x"], box["y"], steps=5)
        try:  # the tooltip opens on mouseover; give a loaded machine time to draw it
            page.wait_for_selector(".leaflet-tooltip", timeout=3000)
        except Exception:  # noqa: BLE001 - the assertion below says what is missing
            pass
        tips = page.locator(".leaflet-tooltip").all_inner_texts()
        if any(evil in t for t in tips):
            break
    assert any(evil in t for t in tips) and page.evaluate("window.__xss") is None
    assert page.locator(".leaflet-tooltip img, .leaflet-tooltip iframe").count() == 0

    if merged:  # the lineage chart's tooltips (ECharts renders a formatter's string as HTML)
        page.goto(page.base + f"/divisions/{village.pk}/")
        page.wait_for_selector("#lineage canvas")
        texts = page.evaluate("""async () => {
            const chart = echarts.getInstanceByDom(document.getElementById('lineage'));
            const out = [];
            const n = chart.getOption().series[0].data.length;
            for (let i = 0; i < n; i++) {
              chart.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: i });
              let tip = null;
              for (let k = 0; k < 40 && !(tip && tip.textContent); k++) {  // the tooltip appears asynchronously
                await new Promise(r => setTimeout(r, 50));
                tip = Array.from(document.querySelectorAll('div')).find(d => d.style.zIndex === '9999999');
              }
              if (tip) out.push([tip.textContent, tip.querySelectorAll('img, iframe').length]);
            }
            return out; }""")
        assert any(evil in t for t, _ in texts) and not any(n for _, n in texts), texts
        assert page.evaluate("window.__xss") is None

"""盘活统计 in the browser: the donut of revitalisation routes keeps every label inside its card, however narrow."""
import datetime as dt
import os
from decimal import Decimal

import pytest

from conftest import page, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser]

LABEL_RECTS = """async () => {
  const el = document.getElementById('route-chart');
  for (let i = 0; i < 40 && !echarts.getInstanceByDom(el); i++) await new Promise(r => setTimeout(r, 50));
  const chart = echarts.getInstanceByDom(el);
  const data = chart.getModel().getSeriesByIndex(0).getData();
  const out = [];
  for (let i = 0; i < data.count(); i++) {
    const label = data.getItemGraphicEl(i).getTextContent();
    if (!label || label.ignore) continue;
    const r = label.getBoundingRect().clone();
    if (label.transform) r.applyTransform(label.transform);
    out.push({ name: data.getName(i), x: r.x, right: r.x + r.width, y: r.y, bottom: r.y + r.height });
  }
  return { width: el.clientWidth, height: el.clientHeight, labels: out };
}"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1400, 1000])
def test_route_donut_labels_stay_inside_the_chart(page, idle_asset, cast, width, tmp_path):  # noqa: F811
    from xiangcun.assets import services

    user = cast["caizheng"]
    for n, (route, extra) in enumerate([
            ("industry", {"lessee": "合作社", "annual_rent": Decimal("36500"), "term_start": dt.date(2024, 1, 1),
                          "term_end": dt.date(2026, 12, 31)}),
            ("public_use", {"new_use": "elderly_care"}),
            ("sale", {"buyer": "某公司", "sale_price": Decimal("1300000"), "venue": "state_exchange",
                      "transaction_ref": "MEK-2024-009"})]):
        asset = idle_asset(ledger_no=f"R-{n}", holder="松岗镇")
        plan = services.propose_plan(asset, user, route=route, **extra)
        services.approve_plan(plan, user, "文号")
        services.complete_plan(plan, user, dt.date(2024, 6, 1))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "office")
    page.goto(page.base + "/assets/stats/?from=2024-01-01&to=2024-12-31")
    page.wait_for_selector("#route-chart canvas")
    found = page.evaluate(LABEL_RECTS)
    page.screenshot(path=f"{os.environ.get('XC_SHOTS') or tmp_path}/asset_stats_{width}.png", full_page=True)
    # the page itself is no wider than the window (the wide table scrolls inside its own box)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert len(found["labels"]) == 3, found  # one per route used; an unused route has no slice
    for label in found["labels"]:
        assert label["x"] >= 0 and label["right"] <= found["width"], f"{label['name']} is cut off: {label} of {found['width']}"
        assert label["y"] >= 0 and label["bottom"] <= found["height"], f"{label['name']} is cut off: {label}"

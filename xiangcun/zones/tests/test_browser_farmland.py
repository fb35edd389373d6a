"""耕地保护 in headless Chromium: the office records a 图斑 on a village of 松岗镇, the township marks it rectified
(the office's list then shows it 已整改, the status change in its history), and the county page shows each
township's gap, 红/绿 and the county's rate."""
import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import sign_in
from xiangcun.core.roles import Role
from xiangcun.divisions.models import Division, Kind
from xiangcun.zones import farmland
from xiangcun.zones.models import Patch, PatchStatus

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_office_records_a_patch_the_township_rectifies_it_and_the_county_sees_the_rate(page, maerkang, make_user,
                                                                                     unit, tmp_path):
    shots = Path(os.environ.get("XC_SHOTS", tmp_path))
    office = make_user("office", Role.REFORM_OFFICE, maerkang)
    town = unit("松岗镇")
    make_user("sgstaff", Role.TOWNSHIP, town)
    village = Division.objects.current().filter(parent=town, kind=Kind.VILLAGE).order_by("code").first()
    year = dt.date.today().year
    farmland.save_target(office, town, year, {"cultivated_target": Decimal(10000), "cultivated_actual": Decimal(10100),
                                              "basic_target": Decimal(8000), "basic_actual": Decimal(8000)})
    farmland.save_target(office, unit("党坝乡"), year, {"cultivated_target": Decimal(5000),
                                                       "cultivated_actual": Decimal(4700),
                                                       "basic_target": Decimal(4000), "basic_actual": Decimal(4000)})

    sign_in(page, "office")
    page.click(".sidebar >> text=违法用地图斑")
    page.fill("#patch-form input[name=number]", "513201-2026-901")
    page.select_option("#patch-form select[name=unit]", str(village.pk))
    page.select_option("#patch-form select[name=kind]", "occupation")
    page.fill("#patch-form input[name=area]", "2.35")
    page.fill("#patch-form input[name=lon]", "102.21")
    page.fill("#patch-form input[name=lat]", "31.91")
    page.fill("#patch-form input[name=found_on]", "2026-01-10")
    page.fill("#patch-form input[name=deadline]", "2026-01-05")
    page.click("#patch-form button")
    page.wait_for_selector("text=整改期限不能早于发现日期")  # refused beside the field, values kept
    assert page.input_value("#patch-form input[name=area]") == "2.35"
    page.fill("#patch-form input[name=deadline]", (dt.date.today() + dt.timedelta(days=60)).isoformat())
    page.click("#patch-form button")
    page.wait_for_selector("text=已登记图斑513201-2026-901")
    patch = Patch.objects.get(number="513201-2026-901")
    assert patch.unit == village and patch.status == PatchStatus.PENDING
    page.screenshot(path=str(shots / "patch-new.png"), full_page=True)

    sign_in(page, "sgstaff")
    page.click(".sidebar >> text=违法用地图斑")
    page.click("#patch-table >> text=513201-2026-901")
    page.wait_for_selector("#status-form")
    assert page.locator("#status-form select[name=status] option[value=closed]").count() == 0
    page.select_option("#status-form select[name=status]", "rectified")
    page.fill("#status-form textarea[name=note]", "已拆除彩钢棚并复耕")
    page.fill("#status-form input[name=rectified_on]", dt.date.today().isoformat())
    page.click("#status-form button")
    page.wait_for_selector("text=图斑513201-2026-901已改为“已整改”")
    assert page.inner_text("#patch-status") == "已整改"
    assert "图斑整改状态变更" in page.inner_text("body")
    page.screenshot(path=str(shots / "patch-rectified.png"), full_page=True)

    sign_in(page, "office")
    page.click(".sidebar >> text=违法用地图斑")
    assert "已整改" in page.inner_text(f"#patch-{patch.pk}")
    page.click(".sidebar >> text=耕地保护任务")
    assert "绿" in page.inner_text(f"#township-{town.pk}")
    row = page.inner_text(f"#township-{unit('党坝乡').pk}")
    assert "红" in row and "-300" in row and "94.0%" in row
    assert "98.7%" in page.inner_text("#farmland-summary")  # (10100 + 4700) / 15000
    page.screenshot(path=str(shots / "farmland.png"), full_page=True)

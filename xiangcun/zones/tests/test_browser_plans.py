"""Village types and the plan register in headless Chromium: the office sets a village's designation and reads
the coverage page (a village plan approved in 松岗镇, an overdue township plan flagged)."""
import datetime as dt
import os
from pathlib import Path

import pytest

from conftest import sign_in
from xiangcun.core.roles import Role
from xiangcun.divisions.models import Division, Kind
from xiangcun.zones import plans
from xiangcun.zones.models import Designation, Plan, PlanKind, PlanStage

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_office_sets_a_designation_and_sees_the_coverage(page, maerkang, make_user, unit, tmp_path):
    shots = Path(os.environ.get("XC_SHOTS", tmp_path))
    office = make_user("office", Role.REFORM_OFFICE, maerkang)
    town = unit("松岗镇")
    villages = list(Division.objects.current().filter(parent=town, kind=Kind.VILLAGE).order_by("code"))
    village = villages[0]
    plans.save_plan(office, Plan(kind=PlanKind.VILLAGE, name=f"{village.name}实用性村庄规划", unit=village,
                                 stage=PlanStage.APPROVED, document="马府函〔2025〕7号", approved_on=dt.date(2025, 3, 1),
                                 term_years=10))
    plans.save_plan(office, Plan(kind=PlanKind.TOWNSHIP, name="党坝乡国土空间总体规划", unit=unit("党坝乡"),
                                 stage=PlanStage.DRAFTING, target_date=dt.date.today() - dt.timedelta(days=10)))
    sign_in(page, "office")
    page.click(".sidebar >> text=村镇分类")
    page.select_option("select[name=scope]", str(town.pk))
    page.click("button:has-text('筛选')")
    page.click(f"#unit-{village.pk} >> text=设定")
    assert page.input_value("#designation-form select[name=unit]") == str(village.pk)
    page.select_option("#designation-form select[name=category]", "heritage")
    page.select_option("#designation-form select[name=function]", "scenic")
    page.fill("#designation-form input[name=valid_from]", "2024-05-01")
    page.click("#designation-form button")
    page.wait_for_selector(f"text=已将{village.name}设为特色保护类(自2024-05-01起)")
    row = page.inner_text(f"#unit-{village.pk}")
    assert "特色保护类" in row and "景区村" in row and "2024-05-01" in row
    assert Designation.objects.get(unit=village).valid_to is None
    page.screenshot(path=str(shots / "designations.png"), full_page=True)

    page.click(".sidebar >> text=规划编制与覆盖")
    rate = round(100 / len(villages), 1)
    assert f"{rate}%" in page.inner_text(f"#township-{town.pk}")
    assert "逾期" in page.inner_text("#plan-table >> tr:has-text('党坝乡国土空间总体规划')")
    assert "逾期未批复的规划 1 项" in page.inner_text("#coverage-summary")
    page.screenshot(path=str(shots / "plans.png"), full_page=True)
    # the overdue plan's own page: flagged, and approving it without a number is refused beside the field
    page.click("#plan-table >> text=党坝乡国土空间总体规划")
    page.wait_for_selector("#plan-form")
    assert "逾期" in page.inner_text(".page-title")
    page.select_option("#plan-form select[name=stage]", "approved")
    page.click("#plan-form button")
    page.wait_for_selector("text=已批复的规划须填写批复文号")
    assert Plan.objects.get(name="党坝乡国土空间总体规划").stage == PlanStage.DRAFTING
    page.screenshot(path=str(shots / "plan.png"), full_page=True)

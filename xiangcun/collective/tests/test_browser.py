"""Collective economy in headless Chromium: a 股份合作 integration recorded through the form, and a collective asset's
lease refused before 四议两公开 is recorded and approved after."""
import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import sign_in
from xiangcun.accounts.models import Role
from xiangcun.core.validators import id_check_digit

pytestmark = [pytest.mark.browser]


def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("XC_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.django_db(transaction=True)
def test_a_joint_stock_integration_is_recorded_in_the_browser(page, maerkang, unit, make_user, tmp_path):
    from xiangcun.collective import services
    from xiangcun.collective.models import Integration, Organisation
    from xiangcun.divisions import services as registry

    office = make_user("office", Role.REFORM_OFFICE, maerkang)
    a = services.save_organisation(office, Organisation(name="党坝村经济合作社", village=unit("党坝村")))
    numbers = [f"51320119800101{i:03d}" + id_check_digit(f"51320119800101{i:03d}") for i in range(3)]
    for i, number in enumerate(numbers):
        services.add_member(office, a, f"成员{i}", number, Decimal(2))
    into = unit("党坝乡").children.filter(valid_to__isnull=True).exclude(pk=unit("党坝村").pk).order_by("code").first()
    registry.merge([unit("党坝村")], dt.date(2023, 1, 1), into=into, document="马府民政〔2023〕1号")
    b = services.save_organisation(office, Organisation(name=f"{into.name}经济合作社", village=into))
    folder = shots(tmp_path)

    sign_in(page, "office")
    page.click(".sidebar >> text=合并村集体经济整合")
    page.click("text=登记整合")
    page.select_option("#id_pick_village", str(into.pk))
    page.click("#pick-village")
    page.check("input[name=mode][value=shares]")
    for org in (a, b):
        page.check(f"input[name=parties][value='{org.pk}']")
    page.fill("input[name=new_name]", f"{into.name}股份经济合作联合社")
    page.fill(f"input[name=shares_{a.pk}]", "600")
    page.fill(f"input[name=shares_{b.pk}]", "400")
    page.fill("input[name=resolution_date]", "2023-06-01")
    page.fill("input[name=eligible]", "90")
    page.fill("input[name=present]", "80")
    page.fill("input[name=votes_for]", "50")  # short of two thirds of 80
    page.click("#save-integration")
    page.wait_for_selector(".field-error")
    assert "未达到实参会 80 人的三分之二" in page.inner_text("#integration-form")
    assert page.input_value("input[name=new_name]") == f"{into.name}股份经济合作联合社"  # what was typed is kept
    page.screenshot(path=str(folder / "integration_refused.png"), full_page=True)
    assert not Integration.objects.exists()

    page.fill("input[name=votes_for]", "70")
    page.fill("input[name=votes_against]", "6")
    page.click("#save-integration")
    page.wait_for_selector("#party-table")
    assert "股份合作" in page.inner_text(".page-title")
    assert f"{into.name}股份经济合作联合社" in page.inner_text("#result-org")
    parties = page.inner_text("#party-table")
    assert "党坝村经济合作社\t600\t保留" in parties
    page.screenshot(path=str(folder / "integration.png"), full_page=True)

    page.click("#result-org")
    page.wait_for_selector("text=股份经济合作社")
    page.screenshot(path=str(folder / "organisation.png"), full_page=True)
    page.goto(page.base + f"/collective/{a.pk}/")
    assert "成*" in page.inner_text("#member-table") and "513***********" in page.inner_text("#member-table")
    page.screenshot(path=str(folder / "organisation_members.png"), full_page=True)
    page.click("#show-members")
    page.wait_for_selector("#member-full")
    assert numbers[0] in page.inner_text("#member-full")
    page.goto(page.base + "/collective/")
    page.screenshot(path=str(folder / "list.png"), full_page=True)
    page.goto(page.base + f"/collective/villages/?year=2023&scope={unit('党坝乡').pk}")
    page.wait_for_selector("#village-table")
    page.screenshot(path=str(folder / "villages.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_collective_lease_waits_for_four_deliberations_and_two_publications(page, maerkang, unit, make_user, tmp_path):
    from xiangcun.assets import services as ledger
    from xiangcun.assets.models import PlanStatus
    from xiangcun.collective import services
    from xiangcun.collective.models import Organisation

    caizheng = make_user("caizheng", Role.DEPARTMENT, maerkang, department="财政")
    org = services.save_organisation(caizheng, Organisation(name="党坝村股份经济合作社", village=unit("党坝村")))
    asset = ledger.create_asset(caizheng, "DB-0001", name="党坝村原村小", category="school", holder=unit("党坝村"),
                                nature="collective_village", owner_organisation=org, floor_area=Decimal(300))
    ledger.transition(asset, "check", caizheng)
    ledger.transition(asset, "mark_idle", caizheng, when=dt.date(2023, 1, 1))
    plan = ledger.propose_plan(asset, caizheng, route="industry", lessee="某中药材合作社", annual_rent=Decimal(12000),
                               term_start=dt.date(2024, 3, 1), term_end=dt.date(2027, 2, 28))
    folder = shots(tmp_path)

    sign_in(page, "caizheng")
    page.goto(page.base + f"/assets/{asset.pk}/")
    assert "集体-村级" in page.inner_text("#ownership") and "党坝村股份经济合作社" in page.inner_text("#ownership")
    page.fill("input[name=document]", "党坝乡批〔2024〕1号")
    page.click("button[name=decision][value=approve]")
    page.wait_for_selector(".alert-danger, .alert-error, .alert")
    text = page.inner_text("body")
    assert "须先履行“四议两公开”程序" in text and "党员大会审议" in text
    page.screenshot(path=str(folder / "lease_refused.png"), full_page=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PROPOSED

    for name, value in (("proposed_on", "2024-02-01"), ("reviewed_on", "2024-02-05"), ("party_meeting_on", "2024-02-10"),
                        ("villagers_meeting_on", "2024-02-15"), ("resolution_published_on", "2024-02-16")):
        page.fill(f"input[name=d-{name}]", value)
    page.click("#save-deliberation")
    page.wait_for_selector("text=程序已齐备")
    assert "村民(代表)会议决议 2024-02-15" in page.inner_text(f"#deliberation-{plan.pk}")
    page.fill("input[name=document]", "党坝乡批〔2024〕1号")
    page.click("button[name=decision][value=approve]")
    page.wait_for_selector("text=方案已批准")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.villagers_meeting_on == dt.date(2024, 2, 15)
    page.screenshot(path=str(folder / "lease_approved.png"), full_page=True)

"""The village tier of health and elderly care: 村卫生室 (with 卫生院 counting for coverage) and 村级互助
养老点, each diagnosed by its own travel rule (how many villages have one within reach) and planned with
the covering models."""
import datetime as dt
import re

import pytest
from django.urls import reverse

from xiangcun.accounts.models import Role
from xiangcun.facilities import diagnosis, planning, rules
from xiangcun.facilities.models import CandidateSite, Cohort, Facility, RunStatus, Scenario

from .conftest import row_text


@pytest.fixture
def tier(county_data, unit):
    """A 互助养老点 and a 卫生室 in the first 松岗镇 village, a 卫生院 at 党坝村; villages are 0, 4.7, 9.4 and
    14.2 minutes from the first one, 党坝村 far away; a candidate site in the fourth village."""
    v = county_data["villages"]
    point = Facility.objects.create(unit=v[0], name="一村互助养老点", type="village_point", beds=8, occupancy=5)
    clinic = Facility.objects.create(unit=v[0], name="一村卫生室", type="village_clinic")
    centre = Facility.objects.create(unit=unit("党坝乡"), name="党坝乡卫生院", type="township_clinic", beds=20,
                                     lon=102.5, lat=31.5)
    site = CandidateSite.objects.create(unit=v[3], name="原村委会闲置用房", capacity=4)
    Cohort.objects.filter(unit=unit("党坝村")).update(age_65_plus=120)
    return {**county_data, "point": point, "clinic": clinic, "centre": centre, "site": site}


@pytest.fixture
def office(make_user, maerkang):
    return make_user("office", Role.REFORM_OFFICE, maerkang)


def _villages_in_cover(d):
    return {r["village"].name for r in d["villages"] if r["within"]}


def test_mutual_aid_points_are_diagnosed_by_their_own_rule(tier, office):
    v = tier["villages"]
    d = diagnosis.diagnose(tier["county"], rules.SERVICES["village_elderly"], 2023)
    assert d["reach"] == 15 and [r["facility"].name for r in d["facilities"]] == ["一村互助养老点"]
    assert _villages_in_cover(d) == {x.name for x in v}  # 14.2 minutes is inside 15; 党坝村 is not
    assert d["cover"]["within"] == 4 and d["cover"]["total"] == 5
    rules.set_value("reach.village_elderly", 10, dt.date(2020, 1, 1), "民政局确认", office)
    d = diagnosis.diagnose(tier["county"], rules.SERVICES["village_elderly"], 2023)
    assert d["cover"]["within"] == 3 and {r["village"].name for r in d["cover"]["outside"]} == {v[3].name, "党坝村"}
    # institutional elderly care is not changed by the points
    d = diagnosis.diagnose(tier["county"], rules.SERVICES["elderly"], 2023)
    assert d["facilities"] == []


def test_the_elderly_pages_show_the_village_tier(client, tier, office):
    v = tier["villages"]
    rules.set_value("reach.village_elderly", 10, dt.date(2020, 1, 1), "", office)
    client.force_login(office)
    page = client.get(reverse("facilities:home"), {"service": "elderly", "scope": tier["county"].pk}).content.decode()
    line = re.search(r'id="village-tier">(.*?)</div>', page, re.S).group(1)
    assert "村级互助养老点 1 处" in line and "3 / 5 个村在 10 分钟内有村级互助养老点" in line
    page = client.get(reverse("facilities:home"), {"service": "village_elderly", "scope": tier["county"].pk}).content.decode()
    assert re.search(r'id="kpi-cover">\s*3 / 5', page)
    uncovered = re.search(r'id="uncovered">(.*?)</div>', page, re.S).group(1)
    assert uncovered.startswith("2 个村 10 分钟内没有村级互助养老点") and v[3].name in uncovered and "党坝村" in uncovered
    assert "一村互助养老点" in page and "负荷 0 / 容量 0" not in page


def test_village_clinic_coverage_counts_the_township_health_centre(client, tier, office):
    v = tier["villages"]
    rules.set_value("reach.village_health", 10, dt.date(2020, 1, 1), "", office)
    d = diagnosis.diagnose(tier["county"], rules.SERVICES["village_health"], 2023)
    # 党坝村 has no 卫生室 but its 卫生院 is right there; the fourth village is 14.2 minutes away
    assert _villages_in_cover(d) == {v[0].name, v[1].name, v[2].name, "党坝村"}
    assert "党坝村" in [u.name for u in d["gaps"]]  # one 卫生室 per village is still the target
    client.force_login(office)
    page = client.get(reverse("facilities:home"), {"service": "village_health", "scope": tier["county"].pk}).content.decode()
    assert re.search(r'id="kpi-count">\s*1 \+ 1', page)
    assert re.search(r'id="kpi-cover">\s*4 / 5', page)
    assert re.search(r'id="village-tier"', client.get(reverse("facilities:home"), {
        "service": "health", "scope": tier["county"].pk}).content.decode())


def _create(client, scope, name, service, model, **extra):
    data = {"name": name, "service": service, "scope": scope.pk, "model": model, "year": 2023, "max_travel": 5,
            "p": 1, "time_limit": 5, "run": "1", **extra}
    r = client.post(reverse("facilities:scenario_new"), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    return Scenario.objects.get(name=name)


def test_a_village_clinic_cover_plan_keeps_the_health_centre_and_opens_the_candidate(client, tier, office):
    client.force_login(office)
    s = _create(client, tier["county"], "卫生室5分钟全覆盖", "village_health", "cover_all", candidates=[tier["site"].pk])
    run = s.latest_run
    assert run.status == RunStatus.SOLVED, run.error
    status = {x["name"]: x["status_label"] for x in run.result["sites"]}
    assert status == {"一村卫生室": "保留", "党坝乡卫生院": "计入覆盖(不调整)", "原村委会闲置用房": "新建"}
    page = client.get(reverse("facilities:scenario", args=[s.pk])).content.decode()
    label, before, after = row_text(page, "headline-villages-t")
    assert label.startswith("5 分钟(T)内有设施的村") and (before, after) == ("3", "5")
    label, before, after = row_text(page, "headline-villages")
    assert label.startswith("15 分钟内有村卫生室或卫生院的村(共 5 个)") and (before, after) == ("5", "5")
    assert "含卫生院 1 处,计入覆盖、不作调整" in page
    assert "超容量设施" not in page  # a covering service has no capacity to be over
    # the plan itself speaks of people served, never of loads or classes (the 变更历史 card below lists the
    # scenario's stored parameters as they were entered, class limit included)
    plan = page.split('id="history"')[0]
    assert "方案服务人口(总人口)" in plan and "负荷/容量" not in plan and "人/班" not in plan
    printed = client.get(reverse("facilities:scenario_print", args=[s.pk])).content.decode()
    assert "原村委会闲置用房" in printed and "党坝乡卫生院" not in printed.split("三、各村去向")[0]


def test_maximal_cover_counts_p_without_the_health_centres(client, tier, office):
    client.force_login(office)
    s = _create(client, tier["county"], "卫生室1处最大覆盖", "village_health", "cover_most", candidates=[tier["site"].pk])
    run = s.latest_run
    assert run.status == RunStatus.SOLVED, run.error
    opened = [x["name"] for x in run.result["sites"] if x["status"] in ("keep", "new")]
    assert len(opened) == 1  # p = 1 村卫生室; the 卫生院 comes on top
    assert [x["status"] for x in run.result["sites"] if x["name"] == "党坝乡卫生院"] == ["fixed"]


def test_a_health_centre_cannot_be_closed_by_a_village_clinic_plan(client, tier, office):
    client.force_login(office)
    # the form refuses it beside the field, before anything is saved or run
    r = client.post(reverse("facilities:scenario_new"), {
        "name": "撤卫生院", "service": "village_health", "scope": tier["county"].pk, "model": "cover_all",
        "year": 2023, "max_travel": 5, "p": 1, "time_limit": 5, "run": "1", "must_close": [tier["centre"].pk]})
    assert r.status_code == 200 and "不能列为必须撤并:党坝乡卫生院" in r.content.decode()
    assert not Scenario.objects.filter(name="撤卫生院").exists()
    # and a plan that names it anyway (the API, an old scenario) fails its run with the same words
    s = planning.create(office, name="撤卫生院", service="village_health", scope=tier["county"], model="cover_all",
                        year=2023, params={"max_travel": 5, "time_limit": 5, "must_close": [tier["centre"].pk]})
    with pytest.raises(planning.PlanError, match="不能列为必须撤并:党坝乡卫生院"):
        planning.solve(s, s.params)


def test_a_mutual_aid_cover_plan_names_the_village_it_cannot_reach(client, tier, office):
    client.force_login(office)
    s = _create(client, tier["county"], "互助点5分钟", "village_elderly", "cover_all", candidates=[tier["site"].pk])
    run = s.latest_run
    assert run.status == RunStatus.SOLVED, run.error
    assert run.result["unreachable"] == ["党坝村"]
    page = client.get(reverse("facilities:scenario", args=[s.pk])).content.decode()
    assert row_text(page, "headline-villages-t")[1:] == ["2", "4"]
    assert "原村委会闲置用房" in page and "方案无法覆盖:党坝村" in page

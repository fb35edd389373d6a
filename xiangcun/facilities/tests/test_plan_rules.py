"""Planning rules a planner relies on: a 全覆盖 plan of beds holds its people, loads are whole people, the
scenario form offers only the service's facilities, and only plans of one service are compared."""
import pytest
from django.urls import reverse

from xiangcun.accounts.models import Role
from xiangcun.divisions.tests.test_browser import page  # noqa: F401  (the shared browser fixture)
from xiangcun.facilities import planning
from xiangcun.facilities.forms import ScenarioForm
from xiangcun.facilities.models import Cohort, Facility, RunStatus, Scenario, ScenarioRun


@pytest.fixture
def elderly(county_data):
    """65+ people whose bed needs (4%) are fractional: 19.88, 20.12, 10.04, 9.96 — 60 in all; two 敬老院."""
    for v, n in zip(county_data["villages"], (497, 503, 251, 249)):
        Cohort.objects.filter(unit=v, year=2023).update(age_65_plus=n)
    v = county_data["villages"]
    small = Facility.objects.create(unit=v[0], name="一村敬老院", type="township_home", beds=25, occupancy=20)
    big = Facility.objects.create(unit=v[3], name="四村敬老院", type="township_home", beds=40, occupancy=30)
    return {**county_data, "small": small, "big": big}


def test_a_cover_all_plan_of_beds_keeps_every_site_within_its_beds_in_whole_people(elderly, make_user):
    owner = make_user("mz", Role.DEPARTMENT, elderly["county"], department="民政")
    s = planning.create(owner, name="养老全覆盖", service="elderly", scope=elderly["sg"], model="cover_all", year=2023,
                        params={"max_travel": 60, "time_limit": 10})
    result = planning.solve(s, s.params)
    kept = [x for x in result["sites"] if x["status"] not in ("close", "unused")]
    assert kept and all(isinstance(x["load_after"], int) for x in result["sites"])
    assert all(x["load_after"] <= x["capacity_after"] for x in kept), kept
    assert result["headline"]["after"]["over"] == 0
    assert sum(x["load_after"] for x in kept) == 60
    needs = {v["name"]: v["need"] for v in result["villages"]}
    assert sorted(needs.values()) == [10, 10, 20, 20]  # each village's beds, rounded half up
    # the village table explains each site's load: the villages that go there and the beds they need
    for x in kept:
        assert abs(sum(v["need"] for v in result["villages"] if v["after"] == x["name"]) - x["load_after"]) <= 1


def test_the_scenario_form_offers_only_the_services_facilities(elderly, make_user):
    user = make_user("mz", Role.DEPARTMENT, elderly["county"], department="民政")
    form = ScenarioForm(user=user)
    html = str(form["must_keep"])
    assert 'data-type="township_home"' in html and 'data-type="primary"' in html  # the page hides by type
    data = {"name": "x", "service": "primary", "scope": elderly["sg"].pk, "model": "consolidate", "year": 2023,
            "time_limit": 5, "must_keep": [elderly["small"].pk, elderly["crowded"].pk]}
    form = ScenarioForm(data, user=user)
    assert not form.is_valid()
    assert form.errors["must_keep"] == ["一村敬老院(乡镇敬老院)不属于“小学(含教学点、九年一贯制)”,请只选小学、教学点、九年一贯制学校"]


@pytest.mark.django_db(transaction=True)
def test_the_scenario_form_page_hides_other_services_facilities(page, elderly, make_user):  # noqa: F811
    from xiangcun.divisions.tests.test_browser import sign_in

    make_user("jiaoyu", Role.DEPARTMENT, elderly["county"], department="教育")
    sign_in(page, "jiaoyu")
    page.goto(page.base + reverse("facilities:scenario_new") + "?service=primary")
    visible = page.eval_on_selector_all("select[name=must_keep] option",
                                        "os => os.filter(o => !o.hidden).map(o => o.textContent)")
    assert any("松岗镇中心小学" in t for t in visible) and not any("敬老院" in t for t in visible)
    page.select_option("select[name=service]", "elderly")
    visible = page.eval_on_selector_all("select[name=must_keep] option",
                                        "os => os.filter(o => !o.hidden).map(o => o.textContent)")
    assert any("敬老院" in t for t in visible) and not any("小学" in t for t in visible)


def test_scenarios_of_different_services_are_not_compared(client, elderly, make_user):
    office = make_user("office", Role.REFORM_OFFICE, elderly["county"])
    solved = []
    for name, service in (("小学方案", "primary"), ("养老方案", "elderly")):
        s = planning.create(office, name=name, service=service, scope=elderly["sg"], model="cover_all", year=2023,
                            params={"max_travel": 60, "time_limit": 5})
        ScenarioRun.objects.create(scenario=s, version=1, params=s.params, status=RunStatus.SOLVED,
                                   result=planning.solve(s, s.params))
        solved.append(s)
    client.force_login(office)
    answer = client.get(reverse("facilities:compare"), {"ids": [s.pk for s in solved]})
    page = answer.content.decode()
    assert answer.status_code == 400 and 'id="compare-table"' not in page
    assert "只能对比同一服务类别的方案,所选方案分属 2 个类别" in page and "“养老方案”" in page
    assert Scenario.objects.count() == 2


def test_a_refused_candidate_site_shows_every_error_beside_its_field(client, elderly, make_user):
    import re

    from xiangcun.facilities.models import CandidateSite

    client.force_login(make_user("mz", Role.DEPARTMENT, elderly["county"], department="民政"))
    answer = client.post(reverse("facilities:candidate_new"), {"name": "原乡政府闲置用房", "lon": "东经", "capacity": "-1"})
    page = answer.content.decode()
    assert answer.status_code == 400 and 'value="原乡政府闲置用房"' in page
    for field in ("unit", "lon", "capacity"):
        assert re.search(rf'id="candidate-field-{field}"((?!candidate-field-).)*field-error', page, re.S), field
    assert not CandidateSite.objects.exists()


def test_a_refused_scenario_keeps_every_chosen_facility(client, elderly, make_user):
    import re

    client.force_login(make_user("jiaoyu", Role.DEPARTMENT, elderly["county"], department="教育"))
    answer = client.post(reverse("facilities:scenario_new"), {
        "name": "", "service": "primary", "scope": elderly["sg"].pk, "model": "consolidate", "year": 2023,
        "time_limit": 5, "must_keep": [elderly["crowded"].pk, elderly["idle"].pk], "must_close": [elderly["far"].pk]})
    page = answer.content.decode()
    assert "该字段是必填项" in page and not Scenario.objects.exists()
    for name, pk in (("must_keep", elderly["crowded"].pk), ("must_keep", elderly["idle"].pk),
                     ("must_close", elderly["far"].pk)):
        select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
        assert re.search(rf'value="{pk}"[^>]*selected', select), (name, pk)

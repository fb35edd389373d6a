"""The scenario flow: create → run as a job → results → compare → adopt; and scoping by every route."""
import pytest
from django.urls import reverse

from xiangcun.accounts.models import Role
from xiangcun.core.models import AuditEntry
from xiangcun.facilities.models import RunStatus, Scenario

from .conftest import row_text


@pytest.fixture
def planner(make_user, maerkang):
    return make_user("jiaoyu", Role.DEPARTMENT, maerkang, department="教育")


def _create(client, scope, name, **extra):
    data = {"name": name, "service": "primary", "scope": scope.pk, "model": "consolidate", "year": 2023,
            "max_travel": 30, "class_limit": 45, "p": 1, "keep_cost": 500, "build_cost": 20000, "expand_units": 6,
            "expand_cost": 5000, "time_limit": 5, "single_source": "on", "run": "1", **extra}
    return client.post(reverse("facilities:scenario_new"), data)


def test_create_run_compare_adopt(client, planner, county_data):
    client.force_login(planner)
    r = _create(client, county_data["sg"], "撤并45")
    assert r.status_code == 302 and "/jobs/" in r.url  # the job page with its progress bar
    s = Scenario.objects.get(name="撤并45")
    run = s.latest_run
    assert run.status == RunStatus.SOLVED, run.error
    res = run.result
    assert res["limit"] == 45 and res["solver"]["gap"] is not None
    statuses = {x["name"]: x["status"] for x in res["sites"]}
    # the crowded school cannot hold 356 pupils in 6 classes of 45 without expanding
    assert statuses["松岗镇中心小学"] in ("expand", "keep")
    after = res["headline"]["after"]
    assert after["class_shortage"] == 0 and after["share_t"] == 1.0
    assert all(v["after_min"] is not None and v["after_min"] <= 30 for v in res["villages"])
    page = client.get(reverse("facilities:scenario", args=[s.pk]))
    assert "主要指标" in page.content.decode() and "间隙" in page.content.decode()
    solver_line = page.content.decode().split('id="solver">')[1].split("</div>")[0]
    assert "已证明最优" in solver_line and "optimal" not in solver_line and "%" in solver_line  # read as people read it

    _create(client, county_data["sg"], "新增1处", model="add", p=1)
    other = Scenario.objects.get(name="新增1处")
    assert other.latest_run.status == RunStatus.SOLVED, other.latest_run.error
    cmp = client.get(reverse("facilities:compare"), {"ids": [s.pk, other.pk]}).content.decode()
    assert "撤并45" in cmp and "新增1处" in cmp and "平均出行" in cmp

    assert client.get(reverse("facilities:scenario_export", args=[s.pk])).status_code == 200
    assert "方案摘要" in client.get(reverse("facilities:scenario_print", args=[s.pk])).content.decode()
    client.post(reverse("facilities:scenario_adopt", args=[s.pk]))
    client.post(reverse("facilities:scenario_adopt", args=[other.pk]))
    s.refresh_from_db()
    other.refresh_from_db()
    assert other.adopted and not s.adopted  # one adopted plan per service and scope
    assert AuditEntry.objects.filter(action="facility.scenario.adopt").count() == 2


def test_changing_a_solved_scenario_makes_a_new_version(client, planner, county_data):
    client.force_login(planner)
    _create(client, county_data["sg"], "v")
    s = Scenario.objects.get(name="v")
    data = {"name": "v", "service": "primary", "scope": county_data["sg"].pk, "model": "consolidate", "year": 2023,
            "max_travel": 40, "class_limit": 50, "time_limit": 5, "run": "1"}
    client.post(reverse("facilities:scenario_edit", args=[s.pk]), data)
    s.refresh_from_db()
    assert s.version == 2
    assert [r.params["class_limit"] for r in s.runs.order_by("version")] == [45, 50]


def test_an_unreachable_village_fails_with_its_name(client, planner, county_data):
    client.force_login(planner)
    _create(client, county_data["county"], "太严", max_travel=1)
    run = Scenario.objects.get(name="太严").latest_run
    assert run.status == RunStatus.FAILED and "分钟内没有可用设施" in run.error


def test_an_unexpected_solver_failure_marks_the_run_failed_not_running(client, planner, county_data, monkeypatch):
    from xiangcun.facilities import planning

    def broken(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(planning, "solve", broken)
    client.force_login(planner)
    _create(client, county_data["sg"], "内存不足")
    run = Scenario.objects.get(name="内存不足").latest_run
    assert run.status == RunStatus.FAILED and "内部错误:MemoryError" in run.error


def test_a_cover_plan_names_the_villages_it_cannot_reach(client, planner, county_data):
    client.force_login(planner)
    _create(client, county_data["county"], "全覆盖1分钟", model="cover_all", max_travel=1)
    s = Scenario.objects.get(name="全覆盖1分钟")
    run = s.latest_run
    assert run.status == RunStatus.SOLVED, run.error
    unreachable = run.result["unreachable"]
    # villages 0.05° (about 5 minutes) apart: only those with a school of their own are reached in 1 minute
    v = county_data["villages"]
    assert sorted(unreachable) == sorted([v[1].name, v[2].name])
    page = client.get(reverse("facilities:scenario", args=[s.pk])).content.decode()
    assert "方案无法覆盖" in page and unreachable[0] in page


def test_a_songgang_user_cannot_see_dangba_facilities_by_any_route(client, make_user, unit, county_data):
    from xiangcun.facilities.models import Facility

    user = make_user("sg", Role.TOWNSHIP, unit("松岗镇"))
    client.force_login(user)
    far = county_data["far"]
    assert client.get(reverse("facilities:detail", args=[far.pk])).status_code == 404
    assert "党坝乡中心小学" not in client.get(reverse("facilities:list")).content.decode()
    assert "党坝乡中心小学" not in client.get(reverse("facilities:home")).content.decode()
    export = client.get(reverse("facilities:export"), {"fmt": "csv"})
    assert "党坝乡中心小学" not in b"".join(export.streaming_content).decode()
    assert client.get(f"/api/v1/facilities/{far.pk}/").status_code == 404
    assert far.pk not in [r["id"] for r in client.get("/api/v1/facilities/").json()["results"]]
    assert client.get(reverse("facilities:home"), {"scope": unit("党坝乡").pk}).status_code == 404
    assert Facility.objects.visible_to(user).filter(pk=far.pk).count() == 0


def test_a_department_edits_only_its_own_family(client, planner, county_data):
    client.force_login(planner)
    r = client.get(reverse("facilities:edit", args=[county_data["crowded"].pk]))
    assert r.status_code == 200
    r = client.post(reverse("facilities:new"), {"name": "某敬老院", "type": "township_home", "unit": county_data["sg"].pk,
                                                 "classes": 0, "enrolment": 0, "beds": 10, "occupancy": 0, "staff": 1,
                                                 "condition": "good"})
    assert r.status_code == 200 and "某敬老院" not in [f.name for f in county_data["crowded"].__class__.objects.all()]


def test_classes_over_the_limit_spread_pupils_evenly():
    from xiangcun.facilities.planning import classes_over

    assert classes_over(356, 6, 45) == 6  # 59–60 a class
    assert classes_over(356, 6, 60) == 0  # 59, 59, 59, 59, 60, 60
    assert classes_over(362, 6, 60) == 2  # 60 ×4, 61 ×2
    assert classes_over(90, 2, 45) == 0 and classes_over(91, 2, 45) == 1
    assert classes_over(30, 0, 45) == 0


@pytest.mark.parametrize("limit, before", [(45, "6"), (60, "0")])
def test_the_headline_counts_classes_over_the_scenarios_limit_before_and_after(client, planner, county_data, limit, before):
    """Before and after are counted the same way against the planner's limit; 大班额/超大班额 (≥56/≥66,
    the national bands) stay a separate row that does not move with the limit."""
    client.force_login(planner)
    _create(client, county_data["sg"], f"班额{limit}", class_limit=limit)
    s = Scenario.objects.get(name=f"班额{limit}")
    assert s.latest_run.status == RunStatus.SOLVED, s.latest_run.error
    page = client.get(reverse("facilities:scenario", args=[s.pk])).content.decode()
    label, now, plan = row_text(page, "headline-over-limit")
    assert label.startswith(f"超过 {limit} 人/班的班级") and now == before
    # the consolidation fits everyone into classes of at most `limit`: nobody is over it afterwards
    assert plan == "0"
    label, now, plan = row_text(page, "headline-big")
    assert label.startswith("大班额/超大班额班级") and (now, plan) == ("2 / 2", "—")
    compare = client.get(reverse("facilities:compare"), {"ids": [s.pk]}).content.decode()
    assert "超过班额上限的班级(平均分班估算)" in compare and f"{before} → <b>0</b>" in compare

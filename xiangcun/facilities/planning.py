"""Layout scenarios: build a location model from the ledger (villages, cohorts, facilities, candidate
sites, travel), solve it with the locate engine, and measure the plan against the status quo."""
from __future__ import annotations

import math

import numpy as np
from django.db import transaction
from django.utils import timezone

from xiangcun.core import audit, jobs
from xiangcun.divisions.scoping import subtree_q
from xiangcun.locate import solve_consolidation, solve_lscp, solve_mclp, solve_pmedian
from xiangcun.locate.errors import LocateError

from . import diagnosis, rules, travel
from .models import CandidateSite, Model, RunStatus, Scenario, ScenarioRun

STATUS_LABELS = {"keep": "保留", "expand": "扩建", "close": "撤并", "new": "新建", "new+expand": "新建", "unused": "未用",
                 "fixed": "计入覆盖(不调整)"}
STATUS_COLOURS = {"keep": "#2e7d32", "expand": "#1565c0", "close": "#9e9e9e", "new": "#8e24aa", "new+expand": "#8e24aa",
                  "fixed": "#00838f"}


class PlanError(Exception):
    """The scenario cannot be solved as set up; the message says why, in Chinese."""

    expected = True


def defaults(service_key: str) -> dict:
    service = rules.service_of(service_key)
    return {"max_travel": rules.reach(service), "class_limit": rules.class_limit(service), "p": 1,
            "must_keep": [], "must_close": [], "candidates": [], "keep_cost": 3000, "build_cost": 20000,
            "expand_units": 6 if service.capacity == "classes" else 20, "expand_cost": 5000,
            "single_source": True, "time_limit": 20}


@transaction.atomic
def create(user, *, name, service, scope, model, year, params, note="") -> Scenario:
    s = Scenario.objects.create(name=name, service=service, scope=scope, model=model, year=year,
                                params={**defaults(service), **params}, owner=user, note=note)
    return s


@transaction.atomic
def update(scenario: Scenario, **changes) -> Scenario:
    """Change a scenario's set-up: a new version (earlier runs are kept with their parameters)."""
    for k, v in changes.items():
        setattr(scenario, k, v)
    if scenario.runs.exists():
        scenario.version += 1
    scenario.save()
    return scenario


def start_run(scenario: Scenario, user):
    run = ScenarioRun.objects.create(scenario=scenario, version=scenario.version, params=scenario.params)
    job = jobs.start("facility_plan", f"求解布局方案:{scenario.name}(第{scenario.version}版)", owner=user, run=run.pk)
    run.job = job
    run.save(update_fields=["job"])
    audit.log_event(scenario, "facility.scenario.run", data={"version": scenario.version})
    return run, job


@jobs.job_kind("facility_plan")
def run_job(job, report, run):
    from django.urls import reverse

    r = ScenarioRun.objects.select_related("scenario", "scenario__scope").get(pk=run)
    try:
        result = solve(r.scenario, r.params, report)
    except Exception as exc:  # the run must not stay "running": it says why, as the job page does
        ScenarioRun.objects.filter(pk=r.pk).update(status=RunStatus.FAILED, error=jobs.error_message(exc),
                                                   solved_at=timezone.now())
        if isinstance(exc, (PlanError, LocateError, travel.TravelError)):
            raise PlanError(str(exc)) from None
        raise
    with transaction.atomic():
        r.result, r.status, r.solved_at = result, RunStatus.SOLVED, timezone.now()
        r.save()
    h = result["headline"]["after"]
    return ({"平均出行(分钟)": h["average"], "设施数": h["open"]},
            reverse("facilities:scenario", args=[r.scenario_id]))


def _weighted(w, t):
    ok = np.isfinite(t) & (w > 0)
    if not ok.any():
        return None, None
    return float(np.dot(w[ok], t[ok]) / w[ok].sum()), float(t[ok].max())


def solve(scenario: Scenario, params: dict, report=lambda *a: None) -> dict:
    """Solve one scenario; returns the JSON the result pages show."""
    service = rules.service_of(scenario.service)
    p = {**defaults(service.key), **params}
    limit = float(p["class_limit"] or rules.class_limit(service))
    T = float(p["max_travel"] or rules.reach(service))
    reach = rules.reach(service)
    big_min, super_min = rules.value("class.big_min"), rules.value("class.super_min")
    report(0, 5, "读取村人口和设施")
    dem = diagnosis.demand(scenario.scope, scenario.year)
    if not dem.villages:
        raise PlanError("范围内没有带位置的村,无法测算")
    factor = rules.demand_factor(service)
    people = dem.weights(service.cohort)
    w = people * factor
    if w.sum() <= 0:
        raise PlanError(f"{scenario.year}年范围内{service.cohort_label}人口为 0,请先录入人口")
    facilities = [f for f in diagnosis.facilities_for(scenario.scope, service) if f.point is not None]
    cand_ids = [int(c) for c in p.get("candidates") or []]
    candidates = list(CandidateSite.objects.filter(subtree_q(scenario.scope, "unit__path"), pk__in=cand_ids)
                      .select_related("unit"))
    candidates = [c for c in candidates if c.point is not None]
    if not facilities and not candidates:
        raise PlanError("范围内没有该类设施,也没有选择候选站点")
    m_ex = len(facilities)
    loads = [diagnosis.facility_load(f, service, limit, big_min, super_min) for f in facilities]
    per_unit = limit if service.capacity == "classes" else 1.0
    cap = np.array([ld.capacity if service.capacity != "none" else 1e9 for ld in loads]
                   + [c.capacity * per_unit if service.capacity != "none" else 1e9 for c in candidates], dtype=float)
    points = [f.point for f in facilities] + [c.point for c in candidates]
    report(1, 5, "测算出行时间")
    C = travel.matrix(travel.setting_for(scenario.scope), dem.points, np.array(points, dtype=float))
    keep = {int(x) for x in p.get("must_keep") or []}
    close = {int(x) for x in p.get("must_close") or []}
    # sites of the service's fixed types (卫生院 in a 村卫生室 plan) count for coverage and stay as they are
    fixed = [j for j, f in enumerate(facilities) if f.type in service.fixed]
    wrong = [facilities[j].name for j in fixed if facilities[j].pk in close]
    if wrong:
        raise PlanError(f"{service.fixed_label}在{service.label}方案中只计入覆盖、不作调整,不能列为必须撤并:"
                        + "、".join(wrong))
    required = sorted({j for j, f in enumerate(facilities) if f.pk in keep} | set(fixed))
    forbidden = [j for j, f in enumerate(facilities) if f.pk in close]
    allowed = np.ones(len(points), dtype=bool)
    allowed[forbidden] = False
    names = [v.name for v in dem.villages]
    unreachable = []
    # a village with demand that no usable site reaches within T cannot be served: say which
    if scenario.model in (Model.CONSOLIDATE, Model.COVER_ALL):
        reach_ok = (np.where(allowed[None, :], C, np.inf) <= T).any(axis=1)
        dead = [names[i] for i in np.flatnonzero(~reach_ok & (w > 0))]
        unreachable = dead
        if dead and scenario.model == Model.CONSOLIDATE:
            raise PlanError(f"以下村在 {T:g} 分钟内没有可用设施,请放宽出行上限或增加候选站点:{'、'.join(dead[:12])}"
                            + (f" 等 {len(dead)} 个" if len(dead) > 12 else ""))
    report(2, 5, "求解模型")
    tl = float(p.get("time_limit") or 20)
    model = scenario.model
    # 全覆盖 of a service with places (classes, beds) is a capacitated cover: the fewest sites that reach every
    # village within T *and hold its people* (expanding where that is cheaper than one more site). Without
    # capacity, nearest-site assignment overfilled the sites it kept (8 敬老院 over their beds in the demo).
    capacitated_cover = model == Model.COVER_ALL and service.capacity != "none"
    if model == Model.CONSOLIDATE or capacitated_cover:
        is_ex = np.arange(len(points)) < m_ex
        live = np.flatnonzero(~np.isin(names, unreachable)) if capacitated_cover else np.arange(len(names))
        if capacitated_cover:  # one site more costs more than all the travel together: fewest sites first
            open_costs = np.full(len(points), float(w[live].sum()) * T + 1.0)
        else:
            open_costs = np.where(is_ex, float(p["keep_cost"]), float(p["build_cost"]))
        res = solve_consolidation(
            C[live], w[live], capacities=cap, existing=list(range(m_ex)),
            current_loads=[ld.load * (factor if service.capacity != "classes" else 1) for ld in loads] + [0] * len(candidates),
            open_costs=open_costs,
            expand_capacity=np.full(len(points), float(p["expand_units"]) * per_unit if service.capacity != "none" else 0),
            expand_costs=np.full(len(points), float(p["expand_cost"])), max_cost=T,
            required=required, forbidden=forbidden, single_source=bool(p.get("single_source")), time_limit=tl)
        status_of = {s["site"]: s["status"] for s in res.extra["site_status"]}
        assign = np.full(len(names), -1, dtype=int)
        assign[live] = np.asarray(res.assignment)
        cap_after = np.asarray(res.capacities, dtype=float)
        load_after = np.asarray(res.loads, dtype=float)
    else:
        if model == Model.ADD:
            n_open = m_ex - len(forbidden) + int(p.get("p") or 1)
            res = solve_pmedian(C, min(n_open, int(allowed.sum())), w,
                                required=[j for j in range(m_ex) if allowed[j]], forbidden=forbidden,
                                allow_unreachable=True, time_limit=tl)
        elif model == Model.COVER_ALL:
            res = solve_lscp(C, T, w, required=required, forbidden=forbidden, time_limit=tl)
        else:
            # p counts the service's own sites; the fixed ones come on top
            res = solve_mclp(C, T, int(p.get("p") or 1) + len(fixed), w, required=required, forbidden=forbidden,
                             time_limit=tl)
        opened = np.zeros(len(points), dtype=bool)
        opened[np.asarray(res.sites, dtype=int)] = True
        masked = np.where(opened[None, :], C, np.inf)
        assign = np.argmin(masked, axis=1)
        load_after = np.bincount(assign, weights=w, minlength=len(points))
        cap_after = cap.copy()
        status_of = {j: ("keep" if opened[j] else "close") if j < m_ex else ("new" if opened[j] else "unused")
                     for j in range(len(points))}
    for j in fixed:
        status_of[j] = "fixed"
    report(4, 5, "统计方案效果")
    rows = np.arange(len(dem.villages))
    before_C = C[:, :m_ex] if m_ex else np.full((len(rows), 1), np.inf)
    before_site = np.argmin(before_C, axis=1)
    before_t = before_C[rows, before_site]
    after_t = C[rows, assign]
    after_t = np.where(assign >= 0, after_t, np.inf)
    result = {
        "service": service.key, "service_label": service.label, "cohort_label": service.cohort_label,
        "model": model, "model_label": Model(model).label, "limit": limit, "max_travel": T, "reach": reach,
        "capacity_kind": service.capacity, "factor": factor, "unreachable": unreachable,
        "big_min": big_min, "super_min": super_min, "village_level": service.village_level,
        "type_label": service.type_label, "fixed_label": service.fixed_label, "fixed_count": len(fixed),
        "villages_total": len(dem.villages),
        "solver": {"status": res.status, "gap": None if not math.isfinite(res.gap) else float(res.gap),
                   "objective": float(res.objective), "lower_bound": float(res.lower_bound),
                   "seconds": round(float(res.seconds), 2)},
    }
    sites = []
    for j in range(len(points)):
        st = status_of.get(j, "unused")
        if j >= m_ex and st == "unused":
            continue
        if j < m_ex:
            f, ld = facilities[j], loads[j]
            src = {"kind": "facility", "pk": f.pk, "name": f.name, "type": f.get_type_display(), "unit": f.unit.name,
                   "classes": ld.classes, "load_before": float(ld.load),
                   "capacity_before": float(ld.capacity), "big": ld.by_category["big"], "super": ld.by_category["super"]}
        else:
            c = candidates[j - m_ex]
            src = {"kind": "candidate", "pk": c.pk, "name": c.name, "type": "候选站点", "unit": c.unit.name,
                   "classes": c.capacity if service.capacity == "classes" else 0, "load_before": 0.0,
                   "capacity_before": 0.0, "big": 0, "super": 0}
        open_ = st not in ("close", "unused")
        src.update({"status": st, "status_label": STATUS_LABELS[st], "lon": points[j][0], "lat": points[j][1],
                    # whole people (places): the exact load rounded once, half up, here and nowhere else
                    "load_after": whole(load_after[j]) if open_ else 0,
                    "capacity_after": round(float(cap_after[j]), 1) if open_ and service.capacity != "none" else 0.0})
        if service.capacity == "classes" and open_:
            src["classes_after"] = int(round(src["capacity_after"] / limit)) if limit else 0
        sites.append(src)
    result["sites"] = sites
    index = {j: s for j, s in zip([j for j in range(len(points)) if not (j >= m_ex and status_of.get(j, "unused") == "unused")], sites)}
    villages = []
    for i, v in enumerate(dem.villages):
        b = index.get(int(before_site[i])) if m_ex else None
        a = index.get(int(assign[i]))
        villages.append({"pk": v.pk, "name": v.name, "township": v.parent.name if v.parent_id else "",
                         "demand": int(people[i]), "need": whole(w[i]),
                         "before": b["name"] if b else None, "before_min": _r(before_t[i]),
                         "after": a["name"] if a else None, "after_min": _r(after_t[i]),
                         "lon": v.lon, "lat": v.lat, "site_lon": a["lon"] if a else None, "site_lat": a["lat"] if a else None})
    result["villages"] = villages
    result["headline"] = {"before": _headline(people, before_t, reach, T, sites, before=True, limit=limit, service=service),
                          "after": _headline(people, after_t, reach, T, sites, before=False, limit=limit, service=service)}
    report(5, 5, "完成")
    return result


def whole(x) -> int:
    """People (pupils, beds) as a whole number: round half up, the one rounding of loads in results and exports."""
    return int(math.floor(float(x) + 0.5))


def _r(x):
    x = float(x)
    return round(x, 1) if math.isfinite(x) else None


def classes_over(pupils: float, classes: int, limit: float) -> int:
    """How many of a school's `classes` exceed `limit` when its `pupils` are spread as evenly as they
    can be (the sizes differ by at most one). The plan knows a school's pupils and classes, not its
    grades, so the headline counts classes over the limit this way both before and after."""
    n, classes = int(round(pupils)), int(classes)
    if classes <= 0 or n <= 0 or not limit:
        return 0
    q, r = divmod(n, classes)
    if q > limit:
        return classes
    return r if q + 1 > limit else 0


def _headline(people, t, reach, T, sites, *, before, limit, service):
    avg, worst = _weighted(people, t)
    total = float(people.sum())
    within = float(people[np.isfinite(t) & (t <= reach)].sum())
    within_t = float(people[np.isfinite(t) & (t <= T)].sum())
    if before:
        rows = [s for s in sites if s["kind"] == "facility"]
        loads = [(s["load_before"], s["capacity_before"], s["classes"]) for s in rows]
    else:
        rows = [s for s in sites if s["status"] not in ("close", "unused")]
        loads = [(s["load_after"], s["capacity_after"], s.get("classes_after", 0)) for s in rows]
    short = idle = 0.0
    over_limit = 0
    for load, cap, classes in loads:
        idle += max(0.0, cap - load)
        if service.capacity == "classes" and limit:
            short += max(0, math.ceil(load / limit - 1e-9) - classes)
            over_limit += classes_over(load, classes, limit)
    out = {"average": _r(avg) if avg is not None else None, "worst": _r(worst) if worst is not None else None,
           "villages_within": int((np.isfinite(t) & (t <= reach)).sum()),
           "villages_t": int((np.isfinite(t) & (t <= T)).sum()),
           "share": within / total if total else None, "share_t": within_t / total if total else None,
           "open": len(rows), "idle": round(idle, 1), "class_shortage": int(short), "over_limit": over_limit,
           "over": sum(1 for load, cap, _ in loads if cap and load > cap + 1e-6)}
    if before:
        out["big"] = sum(s["big"] for s in rows)
        out["super"] = sum(s["super"] for s in rows)
    return out


@transaction.atomic
def adopt(scenario: Scenario, user) -> None:
    """Mark a solved scenario as the adopted plan for its service and scope (one at a time)."""
    run = scenario.latest_run
    if run is None or run.status != RunStatus.SOLVED:
        raise PlanError("方案尚未求解成功,不能采纳")
    for other in Scenario.objects.filter(scope=scenario.scope, service=scenario.service, adopted=True).exclude(pk=scenario.pk):
        other.adopted, other.adopted_at, other.adopted_by = False, None, None
        other.save()
    scenario.adopted, scenario.adopted_at, scenario.adopted_by = True, timezone.now(), user
    scenario.save()
    audit.log_event(scenario, "facility.scenario.adopt", data={"version": run.version})


def incomparable(scenarios) -> str:
    """Why these scenarios cannot be compared side by side ("" when they can): only plans of one service
    measure the same people against the same capacity (pupils in classes, the elderly in beds …)."""
    services = {}
    for s in scenarios:
        services.setdefault(s.service, []).append(s)
    if len(services) <= 1:
        return ""
    parts = ";".join(f"{rules.service_of(k).label}:" + "、".join(f"“{s.name}”" for s in group)
                     for k, group in services.items())
    return f"只能对比同一服务类别的方案,所选方案分属 {len(services)} 个类别({parts}),请只勾选同一类别的方案"


SOLVER_STATUS = {"optimal": "已证明最优", "feasible": "可行解(未证明最优)", "time_limit": "达到时限,取当前最好的可行解",
                 "infeasible": "无可行解", "unbounded": "无界", "other": "求解器未给出结论"}


def readable(result: dict) -> dict:
    """A stored result with the solver's status and gap as people read them (runs saved before these labels included)."""
    solver = result.get("solver") or {}
    solver["status_label"] = SOLVER_STATUS.get(solver.get("status"), solver.get("status") or "—")
    gap = solver.get("gap")
    solver["gap_label"] = "—" if gap is None else f"{gap * 100:.2f}%"
    result["solver"] = solver
    return result


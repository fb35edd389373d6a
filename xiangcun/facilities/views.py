"""Pages of the facilities module. Views are thin: they scope (visible_to), call the services, render."""
from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xiangcun.core import params
from xiangcun.core.audit_display import history_card
from xiangcun.core.excel import export_response
from xiangcun.core.excel_views import ImportView
from xiangcun.divisions import ordering
from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import places, scope_of, subtree_q

from . import diagnosis, permissions, planning, rules, services, travel
from .forms import CandidateForm, CohortForm, FacilityForm, RuleForm, ScenarioForm, TravelForm
from .imports import (
    FACILITY_COLUMNS,
    CohortImporter,
    FacilityImporter,
    GradeImporter,
    cohort_rows,
    facility_rows,
    grade_rows,
)
from .models import (
    COHORTS,
    FAMILY_OF,
    CandidateSite,
    Cohort,
    Facility,
    FacilityType,
    Family,
    RunStatus,
    Scenario,
    SchoolGrade,
    grade_label,
)


def _year(request, scope) -> int | None:
    return params.get_year(request.GET, "year") or diagnosis.latest_year(scope)


def _years(scope):
    return sorted(set(Cohort.objects.filter(subtree_q(scope, "unit__path")).values_list("year", flat=True)), reverse=True)


# --- diagnosis ------------------------------------------------------------------------------------

def home(request):
    scope = scope_of(request)
    year = _year(request, scope)
    service = rules.service_of(request.GET.get("service", "primary"))
    result = diagnosis.diagnose(scope, service, year)
    values, points = diagnosis.map_data(result)
    villages = sorted(result["villages"], key=lambda r: -(r["minutes"] or 0))
    tier = None
    if service.village_tier:  # the village level of the same family, in one line on this page
        tier = diagnosis.diagnose(scope, rules.SERVICES[service.village_tier], year)
    return render(request, "facilities/home.html", {
        "d": result, "scope": scope, "year": year, "years": _years(scope), "places": places(request.user),
        "services": rules.SERVICES.values(), "service": service, "map_values": values, "map_points": points,
        "far": villages[:15], "may_plan": permissions.may_plan(request.user), "tier": tier,
    })


# --- facility ledger ------------------------------------------------------------------------------

def _facilities(request):
    qs = Facility.objects.visible_to(request.user).select_related("unit", "unit__parent")
    fam = request.GET.get("family")
    if fam in Family.values:
        qs = qs.filter(type__in=[t for t, f in FAMILY_OF.items() if f == fam])
    t = request.GET.get("type")
    if t in FacilityType.values:
        qs = qs.filter(type=t)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(name__contains=q)
    return qs


def facility_list(request):
    qs = _facilities(request)
    points = [{"lon": f.point[0], "lat": f.point[1], "label": f"{f.name}({f.get_type_display()})",
               "color": {"school": "#1565c0", "health": "#c8102e", "elderly": "#8e24aa"}[f.family], "radius": 6}
              for f in qs if f.point]
    return render(request, "facilities/list.html", {
        "facilities": qs[:500], "count": qs.count(), "families": Family.choices, "types": FacilityType.choices,
        "points": points, "may_edit": bool(permissions.families_of(request.user)), "query": request.GET.urlencode(),
    })


def facility_export(request):
    fmt = "csv" if request.GET.get("fmt") == "csv" else "xlsx"
    return export_response(facility_rows(_facilities(request)), FACILITY_COLUMNS, "公共服务设施", fmt)


def facility_detail(request, pk):
    f = get_object_or_404(Facility.objects.visible_to(request.user).select_related("unit"), pk=pk)
    grades = list(f.grades.all())
    big_min, super_min = rules.value("class.big_min"), rules.value("class.super_min")
    limit = rules.value("class.limit.junior" if any(g.grade >= 7 for g in grades) and not any(1 <= g.grade <= 6 for g in grades)
                        else "class.limit.primary")
    rows = []
    for g in grades:
        size = g.pupils / g.classes if g.classes else 0
        cat = diagnosis.class_category(size, big_min, super_min, limit)
        rows.append({"grade": grade_label(g.grade), "number": g.grade, "classes": g.classes, "pupils": g.pupils,
                     "size": size, "category": cat, "label": diagnosis.CLASS_LABELS[cat]})
    return render(request, "facilities/detail.html", {
        "f": f, "grades": rows, "history": history_card(f),
        "may_edit": permissions.may_edit_facility(request.user, f.type), "is_school": f.family == Family.SCHOOL,
    })


def facility_form(request, pk=None):
    families = permissions.families_of(request.user)  # not empty: permissions.URLS
    f = None
    if pk is not None:
        f = get_object_or_404(Facility.objects.visible_to(request.user), pk=pk)
        if FAMILY_OF[f.type] not in families:  # the facility's own family: a department keeps only its own
            raise PermissionDenied("您的部门不能维护该类设施")
    form = FacilityForm(request.POST or None, instance=f, user=request.user, families=families)
    if request.method == "POST" and form.is_valid():
        obj = services.save_facility(request.user, form.save(commit=False))
        messages.success(request, f"已保存设施“{obj.name}”")
        return redirect("facilities:detail", pk=obj.pk)
    return render(request, "facilities/form.html", {"form": form, "f": f, "title": "编辑设施" if f else "新增设施"})


@require_POST
def facility_grades(request, pk):
    f = get_object_or_404(Facility.objects.visible_to(request.user), pk=pk)
    if not permissions.may_edit_facility(request.user, f.type):
        raise PermissionDenied("您的部门不能维护该类设施")
    rows = []
    for grade in range(0, 13):
        c, p = request.POST.get(f"classes_{grade}", "").strip(), request.POST.get(f"pupils_{grade}", "").strip()
        if c.isdigit() and p.isdigit() and (int(c) or int(p)):
            rows.append((grade, int(c), int(p)))
    services.save_grades(request.user, f, rows)
    messages.success(request, "已更新分年级在校生")
    return redirect("facilities:detail", pk=f.pk)


class FacilityImportView(ImportView):
    importer_class = FacilityImporter

    def get_importer(self):
        return FacilityImporter(scope=Division.objects.visible_to(self.request.user), user=self.request.user)

    def get_success_url(self):
        return reverse("facilities:list")


class GradeImportView(ImportView):
    importer_class = GradeImporter

    def get_importer(self):
        return GradeImporter(scope=Division.objects.visible_to(self.request.user))

    def get_success_url(self):
        return reverse("facilities:list") + "?family=school"


def grade_export(request):
    qs = SchoolGrade.objects.filter(facility__in=Facility.objects.visible_to(request.user)).select_related("facility__unit")
    return export_response(grade_rows(qs), GradeImporter.columns, "分年级在校生")


# --- demand ---------------------------------------------------------------------------------------

def demand(request):
    scope = scope_of(request)
    year = _year(request, scope)
    qs = list(Cohort.objects.visible_to(request.user).filter(subtree_q(scope, "unit__path"), year=year)
              .select_related("unit", "unit__parent", "unit__parent__parent"))
    counted = diagnosis.counted(qs)
    counted_pks = {c.pk for c in counted}
    for c in qs:
        c.counted = c.pk in counted_pks
        c.village = c.unit.parent if c.unit.level == Level.GROUP else c.unit
    # by village, the village's own row first, then its groups in number order (一组, 二组 … 十组)
    qs.sort(key=lambda c: (c.village.path, c.unit.level == Level.GROUP, ordering.sibling_key(c.unit)))
    totals = {f: sum(getattr(c, f) for c in counted) for f, _ in COHORTS}
    history = []
    for y in sorted(_years(scope)):
        rows = diagnosis.counted(Cohort.objects.visible_to(request.user).filter(subtree_q(scope, "unit__path"), year=y)
                                 .select_related("unit"))
        history.append({"year": y, **{f: sum(getattr(c, f) for c in rows) for f, _ in COHORTS}})
    villages = diagnosis.villages_in(scope)
    entered = {diagnosis.village_of(c) for c in qs}
    return render(request, "facilities/demand.html", {
        "rows": qs, "scope": scope, "year": year, "years": _years(scope), "places": places(request.user),
        "cohorts": COHORTS, "totals": totals, "history": history,
        "missing": [v for v in villages if v.pk not in entered][:60], "may_enter": permissions.may_enter_demand(request.user),
        "this_year": dt.date.today().year,
    })


def demand_export(request):
    qs = Cohort.objects.visible_to(request.user).select_related("unit", "unit__parent").order_by("unit__path", "year")
    return export_response(cohort_rows(qs), CohortImporter.columns, "分年龄段人口")


class CohortImportView(ImportView):
    importer_class = CohortImporter

    def get_importer(self):
        return CohortImporter(scope=Division.objects.visible_to(self.request.user), user=self.request.user)

    def get_success_url(self):
        return reverse("facilities:demand")


def demand_entry(request, pk, year):
    unit = get_object_or_404(Division.objects.visible_to(request.user).filter(level__in=(Level.VILLAGE, Level.GROUP)), pk=pk)
    row = Cohort.objects.filter(unit=unit, year=year).first()
    form = CohortForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f, _ in COHORTS}
        services.save_cohort(request.user, unit, year, values, form.cleaned_data.get("source", ""))
        messages.success(request, f"已保存{unit.name}{year}年人口")
        return redirect(reverse("facilities:demand") + f"?year={year}")
    history = Cohort.objects.filter(unit=unit).order_by("-year")
    return render(request, "facilities/demand_entry.html", {"form": form, "unit": unit, "year": year, "history": history,
                                                            "cohorts": COHORTS})


# --- travel, candidate sites, rules ---------------------------------------------------------------

def travel_page(request, candidate_form=None):
    scope = scope_of(request)
    setting = travel.setting_for(scope)
    may = permissions.may_plan(request.user) and Division.objects.visible_to(request.user).filter(pk=setting.county.pk).exists()
    posted = request.method == "POST" and candidate_form is None  # a refused candidate comes back with its own form
    form = TravelForm(request.POST if posted else None, request.FILES if posted else None, instance=setting)
    if posted:
        if not may:
            raise PermissionDenied("只有县级规划人员可修改出行测算设置")
        if form.is_valid():
            roads = name = None
            upload = form.cleaned_data.get("roads_file")
            try:
                if upload:
                    roads, name = json.loads(upload.read().decode("utf-8-sig")), upload.name
                services.save_travel(form.save(commit=False), roads, name or "")
            except (ValueError, travel.TravelError) as exc:
                form.add_error("roads_file", f"道路文件不可用:{exc}")
            else:
                messages.success(request, "已保存出行测算设置")
                return redirect(reverse("facilities:travel") + f"?scope={scope.pk}")
    candidates = CandidateSite.objects.visible_to(request.user).filter(subtree_q(scope, "unit__path")).select_related("unit")
    points = [{"lon": c.point[0], "lat": c.point[1], "label": f"候选:{c.name}", "color": "#8e24aa"} for c in candidates if c.point]
    return render(request, "facilities/travel.html", {
        "scope": scope, "places": places(request.user), "setting": setting, "form": form, "may": may,
        "candidates": candidates, "candidate_form": candidate_form or CandidateForm(user=request.user), "points": points,
        "assets": services.idle_assets(scope, request.user), "may_plan": permissions.may_plan(request.user),
    }, status=400 if candidate_form is not None else 200)


def roads(request):
    scope = scope_of(request)
    setting = travel.setting_for(scope)
    return JsonResponse(setting.roads or {"type": "FeatureCollection", "features": []})


@require_POST
def candidate_new(request):
    form = CandidateForm(request.POST, user=request.user)
    if form.is_valid():
        c = form.save()
        messages.success(request, f"已添加候选站点“{c.name}”")
        return redirect("facilities:travel")
    # the travel page again, every error beside its field and what was typed kept
    return travel_page(request, candidate_form=form)


@require_POST
def candidate_assets(request):
    scope = scope_of(request)
    n = services.add_asset_candidates(scope, request.user)
    messages.success(request, f"已从闲置资产中加入 {n} 处候选站点" if n else "没有新的闲置资产可加入")
    return redirect(reverse("facilities:travel") + f"?scope={scope.pk}")


def rule_list(request):
    form = RuleForm(request.POST or None, initial={"valid_from": dt.date.today()})
    if request.method == "POST" and form.is_valid():  # planners only (permissions.URLS)
        d = form.cleaned_data
        rules.set_value(d["key"], d["value"], d["valid_from"], d["note"], request.user)
        messages.success(request, f"已调整规则“{rules.RULES[d['key']][0]}”")
        return redirect("facilities:rules")
    return render(request, "facilities/rules.html", {"rules": rules.table(), "form": form,
                                                     "may_plan": permissions.may_plan(request.user)})


# --- scenarios ------------------------------------------------------------------------------------

def _scenarios(request):
    return Scenario.objects.visible_to(request.user).select_related("scope", "owner")


def scenario_list(request):
    rows = list(_scenarios(request).prefetch_related("runs"))
    for s in rows:
        s.service_label = rules.service_of(s.service).label
    return render(request, "facilities/scenarios.html", {"scenarios": rows, "may_plan": permissions.may_plan(request.user),
                                                         "services": rules.SERVICES})


def scenario_form(request, pk=None):
    scenario = get_object_or_404(_scenarios(request), pk=pk) if pk else None
    if scenario is not None:
        initial = {"name": scenario.name, "service": scenario.service, "scope": scenario.scope, "model": scenario.model,
                   "year": scenario.year, "note": scenario.note, **scenario.params}
    else:
        scope = scope_of(request)
        initial = {"scope": scope, "year": diagnosis.latest_year(scope) or dt.date.today().year, "time_limit": 20,
                   "single_source": True, "service": request.GET.get("service", "primary"), "p": 1}
    form = ScenarioForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {"name": d["name"], "service": d["service"], "scope": d["scope"], "model": d["model"], "year": d["year"],
                  "note": d["note"]}
        if scenario is None:
            scenario = planning.create(request.user, params=form.params(), **fields)
        else:
            planning.update(scenario, params={**scenario.params, **form.params()}, **fields)
        if "run" in request.POST:
            _, job = planning.start_run(scenario, request.user)
            return redirect("core:job", pk=job.pk)
        return redirect("facilities:scenario", pk=scenario.pk)
    return render(request, "facilities/scenario_form.html", {"form": form, "scenario": scenario})


def _result_context(scenario):
    run = scenario.latest_run
    solved = scenario.runs.filter(status=RunStatus.SOLVED).order_by("-version", "-pk").first()
    return run, solved


def scenario_detail(request, pk):
    s = get_object_or_404(_scenarios(request), pk=pk)
    run, solved = _result_context(s)
    ctx = {"s": s, "run": run, "solved": solved, "may_plan": permissions.may_plan(request.user),
           "history": history_card(s), "runs": s.runs.order_by("-version", "-pk")[:10],
           "service": rules.service_of(s.service)}
    if solved:
        r = planning.readable(solved.result)
        ctx["r"] = r
        ctx["sites_json"] = [{"lon": x["lon"], "lat": x["lat"], "color": planning.STATUS_COLOURS.get(x["status"], "#999"),
                              "radius": 7 if x["status"] != "close" else 5,
                              "label": f"{x['name']}:{x['status_label']}," + (
                                  f"服务 {x['load_after']:g} 人" if r["capacity_kind"] == "none"
                                  else f"负荷 {x['load_after']:g} / 容量 {x['capacity_after']:g}")}
                             for x in r["sites"]]
        ctx["lines_json"] = [{"from": [v["lat"], v["lon"]], "to": [v["site_lat"], v["site_lon"]], "minutes": v["after_min"],
                              "label": f"{v['name']} → {v['after']}:{v['after_min']} 分钟"}
                             for v in r["villages"] if v["site_lat"] is not None]
        ctx["values"] = {str(v["pk"]): v["after_min"] for v in r["villages"]}
        ctx["changed"] = [v for v in r["villages"] if v["before"] != v["after"]]
    return render(request, "facilities/scenario.html", ctx)


@require_POST
def scenario_run(request, pk):
    s = get_object_or_404(_scenarios(request), pk=pk)
    _, job = planning.start_run(s, request.user)
    return redirect("core:job", pk=job.pk)


@require_POST
def scenario_adopt(request, pk):
    s = get_object_or_404(_scenarios(request), pk=pk)
    try:
        planning.adopt(s, request.user)
    except planning.PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已将“{s.name}”标记为采纳方案")
    return redirect("facilities:scenario", pk=s.pk)


def _solved_or_404(s):
    run = s.runs.filter(status=RunStatus.SOLVED).order_by("-version", "-pk").first()
    if run is None:
        raise Http404("方案尚未求解")
    return run


def scenario_export(request, pk):
    s = get_object_or_404(_scenarios(request), pk=pk)
    r = _solved_or_404(s).result
    part = request.GET.get("part", "sites")
    if part == "villages":
        beds = r.get("capacity_kind") == "beds"  # the places each village needs: what makes up a site's load
        cols = ["乡镇", "村", f"需求人数({r['cohort_label']})"] + (["需床位(人)"] if beds else []) + [
            "现状就近设施", "现状出行(分钟)", "方案设施", "方案出行(分钟)"]
        rows = ([v["township"], v["name"], v["demand"]] + ([v.get("need")] if beds else [])
                + [v["before"], v["before_min"], v["after"], v["after_min"]] for v in r["villages"])
    else:
        cols = ["设施", "类型", "所在单位", "方案处置", "现状负荷", "现状容量", "方案负荷", "方案容量", "大班额班级", "超大班额班级"]
        rows = ([x["name"], x["type"], x["unit"], x["status_label"], x["load_before"], x["capacity_before"], x["load_after"],
                 x["capacity_after"], x["big"], x["super"]] for x in r["sites"])
    return export_response(rows, cols, f"{s.name}-{'村' if part == 'villages' else '设施'}")


def scenario_print(request, pk):
    s = get_object_or_404(_scenarios(request), pk=pk)
    run = _solved_or_404(s)
    r = planning.readable(run.result)
    return render(request, "facilities/print.html", {"s": s, "run": run, "r": r,
                                                     "changed": [x for x in r["sites"] if x["status"] not in ("keep", "fixed")],
                                                     "today": dt.date.today()})


def scenario_compare(request):
    ids = params.get_ids(request.GET, "ids")
    chosen = []
    for s in _scenarios(request).filter(pk__in=ids):
        run = s.runs.filter(status=RunStatus.SOLVED).order_by("-version", "-pk").first()
        if run:
            chosen.append({"s": s, "run": run, "r": planning.readable(run.result)})
    options = [s for s in _scenarios(request) if s.runs.filter(status=RunStatus.SOLVED).exists()]
    for o in options:
        o.service_label = rules.service_of(o.service).label
    refused = planning.incomparable([c["s"] for c in chosen])
    if refused:  # pupils and beds, or two cohorts, are not one measure: nothing is compared
        return render(request, "facilities/compare.html", {"chosen": [], "options": options, "ids": ids,
                                                           "refused": refused}, status=400)
    metrics = [("open", "设施数(处)", "{}"), ("average", "平均出行(分钟)", "{}"), ("worst", "最远出行(分钟)", "{}"),
               ("share", "规则内比例", "pct"), ("share_t", "T 分钟内比例", "pct"),
               ("over_limit", "超过班额上限的班级(平均分班估算)", "{}"), ("class_shortage", "按班额上限缺班级数", "{}"),
               ("over", "超容量设施(处)", "{}"), ("idle", "闲置容量(学位/床位)", "{}")]
    per_class = {"over_limit", "class_shortage"}
    table = []
    for key, label, fmt in metrics:
        cells = []
        for c in chosen:
            a, b = c["r"]["headline"]["before"].get(key), c["r"]["headline"]["after"].get(key)
            if (key in per_class and c["r"].get("capacity_kind") != "classes") or (
                    key in ("over", "idle") and c["r"].get("capacity_kind") == "none"):
                a = b = None  # not a measure of this service: shown as —
            cells.append({"before": a, "after": b, "pct": fmt == "pct"})
        table.append({"label": label, "cells": cells})
    counts = []
    for c in chosen:
        tally = {}
        for x in c["r"]["sites"]:
            tally[x["status_label"]] = tally.get(x["status_label"], 0) + 1
        counts.append(tally)
    chart = {"labels": [c["s"].name for c in chosen], "series": [
        {"name": "现状平均出行", "data": [c["r"]["headline"]["before"]["average"] for c in chosen], "color": "#9e9e9e"},
        {"name": "方案平均出行", "data": [c["r"]["headline"]["after"]["average"] for c in chosen], "color": "#1565c0"},
        {"name": "方案最远出行", "data": [c["r"]["headline"]["after"]["worst"] for c in chosen], "color": "#c8102e"}]}
    return render(request, "facilities/compare.html", {"chosen": chosen, "options": options, "table": table,
                                                       "counts": counts, "ids": ids, "chart": chart})

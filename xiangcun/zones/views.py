"""Pages of the zones module: scheme list, scheme with its map and figures, proposal by optimisation,
moving a unit between zones, the zone table as .xlsx; village types (村镇分类) and the plan register with its
coverage (规划覆盖率), each with its .xlsx."""
import datetime as dt

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from xiangcun.core import jobs, params
from xiangcun.core.audit_display import history_card
from xiangcun.core.downloads import uploaded_file_response
from xiangcun.core.excel import export_response
from xiangcun.core.excel_views import ImportView
from xiangcun.divisions.scoping import OutOfScope, places, scope_of

from . import farmland, figures, filters, plans, services
from .errors import ZoneError
from .forms import (
    DesignationForm,
    FarmlandTargetForm,
    MoveForm,
    PatchForm,
    PatchStatusForm,
    PlanForm,
    ProposeForm,
    SchemeForm,
)
from .imports import FarmlandImporter
from .models import Patch, PatchKind, PatchStatus, Plan, PlanKind, PlanStage, SchemeLevel, SchemeStatus, VillageType, ZoningScheme
from .permissions import may_edit, may_report_farmland

# zone colours on the map (distinct, readable under a dark outline); more zones cycle
COLOURS = ["#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a6761d", "#f781bf", "#17becf", "#bcbd22",
           "#999999"]


def scheme_list(request):
    schemes = filters.filtered(request.user, request.GET)[:200]
    return render(request, "zones/list.html", {
        "schemes": schemes, "levels": SchemeLevel.choices, "statuses": SchemeStatus.choices,
        "can_edit": may_edit(request.user)})


def propose(request):
    form = ProposeForm(request.POST or None, user=request.user, initial={"level": SchemeLevel.TOWNSHIP, "p": 4})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        job = jobs.start("zoning_proposal", f"优化生成片区方案:{d['name']}", owner=request.user,
                         county=d["county"].pk, level=d["level"], p=d["p"], name=d["name"],
                         min_pop=d["min_pop"], max_pop=d["max_pop"])
        return redirect("core:job", job.pk)
    return render(request, "zones/propose.html", {"form": form}, status=400 if form.errors else 200)


def _scheme(request, pk):
    return get_object_or_404(ZoningScheme.objects.visible_to(request.user).select_related("county"), pk=pk)


def _colour(i):
    return COLOURS[i % len(COLOURS)]


def _page(request, scheme, form=None, move_form=None, status=200):
    rows = figures.zone_rows(scheme)
    for i, r in enumerate(rows):
        r["colour"] = _colour(i)
    centres = [{"lat": r["zone"].centre.lat, "lon": r["zone"].centre.lon, "label": f"{r['zone'].name}中心:"
                f"{r['zone'].centre.name}", "color": "#ffd700", "radius": 8}
               for r in rows if r["zone"].centre.lat is not None]
    can_edit = may_edit(request.user)
    editable = can_edit and scheme.status == SchemeStatus.DRAFT
    return render(request, "zones/scheme.html", {
        "scheme": scheme, "rows": rows, "centres": centres, "can_edit": can_edit, "editable": editable,
        "form": form or (SchemeForm(instance=scheme) if can_edit else None),
        "move_form": move_form or (MoveForm(scheme=scheme) if editable else None),
        "total_population": sum(r["population"] for r in rows),
    }, status=status)


def scheme_detail(request, pk):
    scheme = _scheme(request, pk)
    if request.method == "POST":
        form = SchemeForm(request.POST, instance=scheme)
        if form.is_valid():
            form.save()
            messages.success(request, "已保存方案信息")
            return redirect("zones:scheme", scheme.pk)
        return _page(request, scheme, form=form, status=400)
    return _page(request, scheme)


def scheme_geojson(request, pk):
    """The scheme's member units as GeoJSON; properties carry the zone and its colour."""
    scheme = _scheme(request, pk)
    zones = list(scheme.zones.order_by("id").prefetch_related("memberships__unit"))
    features = []
    for i, z in enumerate(zones):
        for m in z.memberships.all():
            if m.unit.geometry:
                features.append({"type": "Feature", "geometry": m.unit.geometry, "properties": {
                    "id": m.unit.pk, "name": m.unit.name, "zone": z.pk, "zone_name": z.name, "color": _colour(i),
                    "centre": m.unit.pk == z.centre_id}})
    return JsonResponse({"type": "FeatureCollection", "features": features})


def move(request, pk):
    scheme = _scheme(request, pk)
    form = MoveForm(request.POST, scheme=scheme)
    if form.is_valid():
        try:
            services.move_unit(request.user, scheme, form.cleaned_data["unit"], form.cleaned_data["zone"])
        except (ZoneError, OutOfScope) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已将{form.cleaned_data['unit'].name}调入{form.cleaned_data['zone'].name}")
            return redirect("zones:scheme", scheme.pk)
    return _page(request, scheme, move_form=form, status=400)


def export(request, pk):
    scheme = _scheme(request, pk)
    return export_response(figures.export_rows(figures.zone_rows(scheme)), figures.COLUMNS, f"{scheme.name}-片区表")


# --- village types and the plan register -------------------------------------------------------------

def _place(request):
    """The county or township the page is about (?scope=); a village agent, who has none, gets their village."""
    if request.user.jurisdiction_id and not places(request.user).exists():
        return request.user.jurisdiction
    return scope_of(request)


def _designation_page(request, form=None, status=200):
    place = _place(request)
    units, current = filters.designated_units(request.user, request.GET, place)
    can_edit = may_edit(request.user)
    if can_edit and form is None:
        unit_pk = params.get_id(request.GET, "unit")
        form = DesignationForm(units=plans.units_of(place), initial={"unit": unit_pk, "valid_from": dt.date.today()})
    rows = [{"unit": u, "current": current.get(u.pk)} for u in units]
    return render(request, "zones/designations.html", {
        "place": place, "places": places(request.user), "rows": rows, "categories": VillageType.choices,
        "form": form if can_edit else None, "classified": sum(1 for r in rows if r["current"])}, status=status)


def designations(request):
    if request.method == "POST":
        place = _place(request)
        form = DesignationForm(request.POST, units=plans.units_of(place))
        if form.is_valid():
            d = form.cleaned_data
            try:
                plans.designate(request.user, d["unit"], d["category"], d["valid_from"], d["function"], d["note"])
            except ZoneError as exc:
                for field, message in exc.fields.items():
                    form.add_error(field, message)
            except OutOfScope as exc:
                form.add_error("unit", str(exc))
            else:
                messages.success(request, f"已将{d['unit'].name}设为{dict(VillageType.choices)[d['category']]}"
                                          f"(自{d['valid_from']:%Y-%m-%d}起)")
                return redirect(f"{reverse('zones:designations')}?scope={place.pk}")
        return _designation_page(request, form=form, status=400)
    return _designation_page(request)


def designations_export(request):
    place = _place(request)
    units, current = filters.designated_units(request.user, request.GET, place)
    return export_response(plans.designation_rows(units, current), plans.DESIGNATION_COLUMNS, f"{place.name}-村镇分类")


def _plans_page(request, form=None, status=200):
    place = _place(request)
    today = dt.date.today()
    register = list(filters.plans(request.user, request.GET).order_by("kind", "unit__path", "id")[:500])
    for p in register:
        p.overdue = p.is_overdue(today)
    rows = plans.coverage(request.user, place)
    villages = sum(r["villages"] for r in rows)
    covered = sum(r["covered"] for r in rows)
    can_edit = may_edit(request.user)
    return render(request, "zones/plans.html", {
        "place": place, "places": places(request.user), "coverage": rows, "plans": register,
        "villages": villages, "covered": covered, "rate": round(100 * covered / villages, 1) if villages else None,
        "overdue": sum(1 for p in register if p.overdue), "kinds": PlanKind.choices, "stages": PlanStage.choices,
        "form": (form or PlanForm(user=request.user)) if can_edit else None}, status=status)


def _save_plan(request, form):
    """Save a bound PlanForm through the service; the refused fields get their messages. True when saved."""
    if not form.is_valid():
        return False
    try:
        plans.save_plan(request.user, form.instance)
    except ZoneError as exc:
        for field, message in exc.fields.items():
            form.add_error(field, message)
        return False
    except OutOfScope as exc:
        form.add_error(None, str(exc))
        return False
    return True


def plan_register(request):
    if request.method == "POST":
        form = PlanForm(request.POST, user=request.user)
        if _save_plan(request, form):
            messages.success(request, f"已登记规划“{form.instance.name}”")
            return redirect("zones:plan", form.instance.pk)
        return _plans_page(request, form=form, status=400)
    return _plans_page(request)


def plan_detail(request, pk):
    plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("unit", "zone__scheme"), pk=pk)
    can_edit = may_edit(request.user)
    form = PlanForm(request.POST or None, instance=plan, user=request.user) if can_edit else None
    if request.method == "POST":
        if _save_plan(request, form):
            messages.success(request, "已保存规划信息")
            return redirect("zones:plan", plan.pk)
    refused = form is not None and bool(form.errors)
    if refused:  # the page header shows the stored plan; the form keeps what was typed
        plan = Plan.objects.select_related("unit", "zone__scheme").get(pk=plan.pk)
    return render(request, "zones/plan.html", {"plan": plan, "form": form, "overdue": plan.is_overdue(dt.date.today()),
                                               "history": history_card(plan)},
                  status=400 if refused else 200)


def plans_export(request):
    place = _place(request)
    rows = plans.coverage(request.user, place)
    return export_response(plans.coverage_rows(rows), plans.COVERAGE_COLUMNS, f"{place.name}-规划覆盖率")


def plan_list_export(request):
    qs = filters.plans(request.user, request.GET).order_by("kind", "unit__path", "id")
    return export_response(plans.plan_rows(qs.iterator(), dt.date.today()), plans.PLAN_COLUMNS, "规划台账")


# --- 耕地保护: farmland targets and the violation patches (图斑) ---------------------------------------------

def _townships(request, place):
    from xiangcun.divisions.models import Division, Level
    from xiangcun.divisions.scoping import subtree_q

    return (Division.objects.visible_to(request.user).current().filter(subtree_q(place), level=Level.TOWNSHIP)
            .order_by("path"))


def _farmland_year(request):
    return params.get_year(request.GET, "year", dt.date.today().year)


def _farmland_page(request, form=None, status=200):
    place = _place(request)
    year = _farmland_year(request)
    data = farmland.township_rows(request.user, place, year)
    county_user = may_edit(request.user)
    if form is None and may_report_farmland(request.user):
        form = FarmlandTargetForm(townships=_townships(request, place), county_user=county_user,
                                  initial={"year": year, "unit": params.get_id(request.GET, "unit")})
    return render(request, "zones/farmland.html", {
        "place": place, "places": places(request.user), "year": year, "data": data, "form": form,
        "county_user": county_user, "status_labels": farmland.STATUS_LABELS}, status=status)


def farmland_targets(request):
    if request.method == "POST":
        place = _place(request)
        county_user = may_edit(request.user)
        form = FarmlandTargetForm(request.POST, townships=_townships(request, place), county_user=county_user)
        if form.is_valid():
            d = form.cleaned_data
            values = {f: d[f] for f in farmland.FIGURES if f in form.fields}
            try:
                farmland.save_target(request.user, d["unit"], d["year"], values,
                                     d.get("note", "") if county_user else None)
            except ZoneError as exc:
                for field, message in exc.fields.items():
                    form.add_error(field if field in form.fields else None, message)
            except OutOfScope as exc:
                form.add_error("unit", str(exc))
            else:
                messages.success(request, f"已保存{d['unit'].name}{d['year']}年耕地保护数据")
                return redirect(f"{reverse('zones:farmland')}?scope={place.pk}&year={d['year']}")
        return _farmland_page(request, form=form, status=400)
    return _farmland_page(request)


def farmland_export(request):
    place = _place(request)
    year = _farmland_year(request)
    data = farmland.township_rows(request.user, place, year)
    rows = ([r[0], r_code, *r[1:]] for r, r_code in zip(farmland.target_rows(data),
                                                        (x["township"].code for x in data["rows"]), strict=True))
    return export_response(rows, (farmland.TARGET_COLUMNS[0], "乡镇代码", *farmland.TARGET_COLUMNS[1:]),
                           f"{place.name}-{year}年耕地保护任务")


class FarmlandImportView(ImportView):
    importer_class = FarmlandImporter

    def get_importer(self):
        return FarmlandImporter(user=self.request.user)

    def get_success_url(self):
        return reverse("zones:farmland")


def _patch_units(request, place):
    from django.db.models import Q

    from xiangcun.divisions.models import Division, Level
    from xiangcun.divisions.scoping import subtree_q

    return (Division.objects.visible_to(request.user).current().filter(subtree_q(place))
            .filter(Q(level=Level.TOWNSHIP) | Q(level=Level.VILLAGE)).select_related("parent").order_by("path"))


def _patches_page(request, form=None, status=200):
    place = _place(request)
    today = dt.date.today()
    qs = filters.patches(request.user, request.GET, place)
    shown = list(qs.select_related("unit__parent", "former_unit")[:500])
    for p in shown:
        p.overdue = p.is_overdue(today)
    counts = {s: 0 for s, _ in PatchStatus.choices}
    for s in filters.patches(request.user, {}, place).values_list("status", flat=True):
        counts[s] += 1
    colours = {PatchStatus.PENDING: "#d62728", PatchStatus.RECTIFYING: "#ff7f0e", PatchStatus.RECTIFIED: "#2ca02c",
               PatchStatus.CLOSED: "#7f7f7f"}
    points = [{"lat": p.lat, "lon": p.lon, "label": f"图斑{p.number} {p.get_kind_display()} {p.get_status_display()}"
               + (" 逾期" if p.overdue else ""), "color": colours[p.status], "radius": 7}
              for p in shown if p.lat is not None]
    if form is None and may_edit(request.user):
        form = PatchForm(units=_patch_units(request, place),
                         initial={"found_on": today, "deadline": today + dt.timedelta(days=90)})
    from xiangcun.divisions.models import Level

    return render(request, "zones/patches.html", {
        "place": place, "places": places(request.user), "patches": shown, "points": points, "form": form,
        "kinds": PatchKind.choices, "statuses": PatchStatus.choices, "counts": counts,
        "overdue": sum(1 for p in shown if p.overdue), "map_level": 5 if place.level >= Level.TOWNSHIP else 4,
        "legend": [(PatchStatus(s).label, c) for s, c in colours.items()]}, status=status)


def patches(request):
    if request.method == "POST":
        place = _place(request)
        form = PatchForm(request.POST, units=_patch_units(request, place))
        if form.is_valid():
            try:
                farmland.save_patch(request.user, form.instance, form.cleaned_data.get("geometry_text") or None)
            except ZoneError as exc:
                for field, message in exc.fields.items():
                    form.add_error("geometry_text" if field == "geometry" else field, message)
            except OutOfScope as exc:
                form.add_error("unit", str(exc))
            else:
                messages.success(request, f"已登记图斑{form.instance.number}")
                return redirect("zones:patch", form.instance.pk)
        return _patches_page(request, form=form, status=400)
    return _patches_page(request)


def patches_export(request):
    place = _place(request)
    qs = filters.patches(request.user, request.GET, place).select_related("unit__parent")
    return export_response(farmland.patch_rows(qs.iterator(), dt.date.today()), farmland.PATCH_COLUMNS,
                           f"{place.name}-违法用地图斑")


def _patch(request, pk):
    return get_object_or_404(Patch.objects.visible_to(request.user).select_related("unit__parent", "former_unit"),
                             pk=pk)


def patch_detail(request, pk):
    patch = _patch(request, pk)
    writer = may_report_farmland(request.user)
    form = None
    if writer:
        form = PatchStatusForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                farmland.change_status(request.user, patch, d["status"], d["note"], d["rectified_on"], d["evidence"])
            except ZoneError as exc:
                for field, message in exc.fields.items():
                    form.add_error(field if field in form.fields else None, message)
            except OutOfScope as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"图斑{patch.number}已改为“{PatchStatus(d['status']).label}”")
                return redirect("zones:patch", patch.pk)
    refused = form is not None and bool(form.errors)
    next_steps = [(s, PatchStatus(s).label) for s in farmland.STEPS[patch.status]
                  if may_edit(request.user) or (patch.status, s) not in farmland.COUNTY_STEPS]
    if form is not None and not refused:
        form.fields["status"].choices = next_steps
    return render(request, "zones/patch.html", {
        "patch": patch, "form": form if next_steps or refused else None, "overdue": patch.is_overdue(dt.date.today()),
        "history": history_card(patch), "point": [{"lat": patch.lat, "lon": patch.lon, "label": f"图斑{patch.number}",
                                                   "color": "#d62728", "radius": 8}] if patch.lat is not None else [],
        "township": farmland.township_of(patch.unit)}, status=400 if refused else 200)


def patch_evidence(request, pk):
    patch = _patch(request, pk)
    if not patch.evidence:
        raise Http404("该图斑没有佐证材料")
    try:
        handle = patch.evidence.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在") from None
    return uploaded_file_response(handle, patch.evidence_name or "佐证材料")

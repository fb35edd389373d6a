"""Pages of the zones module: scheme list, scheme with its map and figures, proposal by optimisation,
moving a unit between zones, the zone table as .xlsx; village types (村镇分类) and the plan register with its
coverage (规划覆盖率), each with its .xlsx."""
import datetime as dt

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from xiangcun.core import jobs, params
from xiangcun.core.audit_display import history_card
from xiangcun.core.excel import export_response
from xiangcun.divisions.scoping import OutOfScope, places, scope_of

from . import figures, filters, plans, services
from .errors import ZoneError
from .forms import DesignationForm, MoveForm, PlanForm, ProposeForm, SchemeForm
from .models import Plan, PlanKind, PlanStage, SchemeLevel, SchemeStatus, VillageType, ZoningScheme
from .permissions import may_edit

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

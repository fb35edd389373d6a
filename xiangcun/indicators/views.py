"""Pages of the indicators module. Views are thin: they scope (visible_to), call services/aggregate, render."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from xiangcun.core import params
from xiangcun.core.audit_display import history_card
from xiangcun.core.excel import export_response
from xiangcun.core.excel_views import ImportView
from xiangcun.core.redirects import redirect_next
from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import OutOfScope, merged_units, places, scope_of, subtree_q

from . import aggregate, dashboard, permissions, services
from .forms import CollectiveForm, ElementForm, TargetForm, ThresholdForm
from .imports import CollectiveImporter, ValueImporter, collective_rows, value_rows
from .models import (
    Category,
    CollectiveEconomy,
    DataElement,
    DataValue,
    EconomyClass,
    Target,
    ValueType,
    period_label,
    period_type_of,
)

FIRST_YEAR = 2019


def years() -> list[str]:
    return [str(y) for y in range(FIRST_YEAR, dt.date.today().year + 1)]


def period_param(query, default=None) -> str | None:
    """?period= (or ?year=): "2022", "2022Q3" or "2022-05", of a year the module covers (FIRST_YEAR to next
    year); missing gives `default`, anything else a Chinese 400 (core.params)."""
    name = "period" if params.get_text(query, "period") else "year"
    p = params.get_text(query, name)
    if not p:
        return default
    if not period_type_of(p):
        raise params.BadParameter(name, p, "应如 2022、2022Q3 或 2022-05")
    params.get_year({name: p[:4]}, name, lo=FIRST_YEAR, hi=dt.date.today().year + 1)
    return p


def _period(request, default=None, scope=None) -> str:
    return period_param(request.GET) or default or dashboard.latest_year(scope)


# --- dashboard ------------------------------------------------------------------------------------

def _dashboard_context(request) -> dict:
    """What the dashboard and its print view show for the request's place, year and map choice."""
    from .report import registry_since

    scope = scope_of(request)
    year, notice, offered = dashboard.choose_year(request.GET.get("year"), scope)
    data = dashboard.build(scope, year, request.user, element_code=request.GET.get("element"),
                           level=request.GET.get("level"))
    return {**data, "scope": scope, "year": year, "years": offered, "notice": notice, "today": dt.date.today(),
            "asof_min": registry_since(scope)}


def dashboard_view(request):
    context = _dashboard_context(request)
    links = []
    for name, label in (("divisions:list", "区划台账"), ("divisions:stats", "改革统计"), ("assets:list", "公有资产"),
                        ("services:list", "便民服务"), ("facilities:list", "设施布局"), ("indicators:collective", "集体经济"),
                        ("indicators:targets", "目标考核"), ("indicators:values", "指标填报")):
        try:
            links.append((reverse(name), label))
        except NoReverseMatch:
            pass
    from xiangcun.core.panels import panels

    return render(request, "indicators/dashboard.html", {
        **context, "places": places(request.user), "links": links, "panels": panels(request, context["scope"]),
        "map_elements": DataElement.objects.active().filter(value_type__in=(ValueType.NUMBER, ValueType.PERCENT, ValueType.BOOL)),
    })


def dashboard_print(request):
    """The dashboard for a meeting: one A4 landscape document with title, place, year, date; no navigation."""
    return render(request, "indicators/dashboard_print.html", _dashboard_context(request))


def report(request):
    scope = scope_of(request)
    year, notice, _ = dashboard.choose_year(request.GET.get("year"), scope)
    from .report import ReportError, as_of, meeting_report  # python-docx and matplotlib are imported only there

    if notice and request.GET.get("year") and dashboard.data_years(scope):
        messages.error(request, f"未能生成会议材料:{notice}")
        return redirect(reverse("indicators:dashboard") + f"?scope={scope.pk}&year={year}")
    try:
        when = as_of(request.GET.get("asof"), scope)
    except ReportError as exc:
        messages.error(request, f"未能生成会议材料:{exc}")
        return redirect(reverse("indicators:dashboard") + f"?scope={scope.pk}&year={year}")
    return meeting_report(scope, year, request.user, when)


# --- catalogue ------------------------------------------------------------------------------------

def element_list(request):
    elements = DataElement.objects.select_related("weight", "not_above").order_by("category", "order", "code")
    groups = [(label, [e for e in elements if e.category == value]) for value, label in Category.choices]
    return render(request, "indicators/elements.html", {"groups": [g for g in groups if g[1]],
                                                         "may_manage": permissions.may_manage(request.user)})


def element_form(request, pk=None):
    element = get_object_or_404(DataElement, pk=pk) if pk else DataElement()
    form = ElementForm(request.POST or None, instance=element)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"已保存指标“{form.instance.name}”")
        return redirect("indicators:elements")
    return render(request, "indicators/element_form.html", {
        "form": form, "element": element, "history": history_card(element) if element.pk else None})


# --- values: overview, entry form, unit page, import/export ---------------------------------------

def _level(request) -> int:
    return Level.TOWNSHIP if request.GET.get("level") == "4" else Level.VILLAGE


def form_rows(user, scope, period, level):
    """([{unit, filled, parent}], elements): how much of the period's form each unit in scope has filled in."""
    elements = list(services.form_elements(level, period))
    units = [u for u in Division.objects.visible_to(user).subtree(scope).filter(level=level).order_by("path")
             if services.existed_during(u, period)]
    filled = {}
    for unit_id in DataValue.objects.filter(unit__in=units, period=period, element__in=elements).values_list("unit_id", flat=True):
        filled[unit_id] = filled.get(unit_id, 0) + 1
    parents = Division.objects.in_bulk({u.parent_id for u in units if u.parent_id})  # one query, not one a unit
    return [{"unit": u, "filled": filled.get(u.pk, 0), "parent": parents.get(u.parent_id)} for u in units], elements


def value_overview(request):
    """Units of a level in a place with how much of the period's form each has filled in."""
    scope = scope_of(request)
    period = _period(request, scope=scope)
    level = _level(request)
    rows, elements = form_rows(request.user, scope, period, level)
    return render(request, "indicators/values.html", {
        "scope": scope, "period": period, "level": level, "rows": rows, "total": len(elements), "places": places(request.user),
        "years": years(), "may_enter": permissions.may_enter(request.user),
        "complete": sum(1 for r in rows if r["filled"] == len(elements) and elements),
    })


def entry(request, pk, period):
    """A unit's whole form for a period on one page."""
    unit = get_object_or_404(Division.objects.visible_to(request.user), pk=pk)
    if period_type_of(period) is None:
        raise Http404
    elements = list(services.form_elements(unit.level, period))
    stored = {v.element_id: v for v in DataValue.objects.filter(unit=unit, period=period, element__in=elements)}
    errors, posted = {}, {}
    refused = ""
    try:
        services.check_entry(request.user, unit, period)
    except (services.IndicatorError, OutOfScope) as exc:
        refused = str(exc)
    if request.method == "POST" and not refused:
        posted = {e.code: request.POST.get(e.code, "") for e in elements}
        try:
            counts = services.save_values(request.user, unit, period, posted)
        except ValidationError as exc:
            errors = exc.message_dict
            messages.error(request, f"有 {len(errors)} 项填写有误,请按提示修改后再保存(尚未保存任何数据)")
        else:
            messages.success(request, f"已保存{unit.name}{period_label(period)}指标:新增 {counts['created']} 项,"
                                      f"修改 {counts['updated']} 项,清除 {counts['deleted']} 项")
            return redirect_next(request, reverse("indicators:entry", kwargs={"pk": unit.pk, "period": period}))
    groups = []
    for value, label in Category.choices:
        fields = []
        for e in elements:
            if e.category != value:
                continue
            v = stored.get(e.pk)
            current = posted.get(e.code) if e.code in posted else (v.display if v else "")
            fields.append({"element": e, "value": current, "errors": errors.get(e.code, []), "stored": v})
        if fields:
            groups.append((label, fields))
    siblings = list(Division.objects.visible_to(request.user).filter(parent=unit.parent_id, level=unit.level).order_by("path"))
    siblings = [s for s in siblings if services.existed_during(s, period)]
    nxt = None
    if unit in siblings and siblings.index(unit) + 1 < len(siblings):
        nxt = siblings[siblings.index(unit) + 1]
    return render(request, "indicators/entry.html", {
        "unit": unit, "period": period, "period_label": period_label(period), "groups": groups, "refused": refused,
        "filled": len(stored), "total": len(elements), "next_unit": nxt, "years": years(),
        "computed": _computed_for(unit, period) if not refused else [],
    })


def _computed_for(unit, period):
    """The computed indicators of the unit's level for the period (shown beside the form as a check)."""
    geo = aggregate.Geography.on(unit)
    if unit.pk not in geo.versions:
        return []
    out = []
    for e in DataElement.objects.active().exclude(formula="").filter(level=unit.level):
        out.append((e, aggregate.compute(e, period, geo, unit.pk)))
    return out


def unit_page(request, pk):
    """All indicators of one unit across the years, on today's geography (series continue through mergers)."""
    unit = get_object_or_404(Division.objects.visible_to(request.user), pk=pk)
    ys = years()
    geo = aggregate.Geography.on(unit)
    rows = []
    if unit.pk in geo.versions:
        aggregated = [e for e in DataElement.objects.active().filter(level__gte=unit.level, period_type="year")
                      .exclude(aggregation="none", formula="") if e.level >= unit.level]
        own = list(DataElement.objects.active().filter(level=unit.level, aggregation="none", formula=""))
        geo.preload(aggregated + own, ys)  # every value of the page in a few queries, not one per indicator and year
        for e in aggregated + own:
            rows.append((e, [aggregate.value_at(e, y, geo, unit.pk) for y in ys]))
    absorbed = merged_units(unit).filter(level=unit.level).order_by("name") if unit.pk in geo.versions else []
    return render(request, "indicators/unit.html", {
        "unit": unit, "years": ys, "rows": rows, "absorbed": absorbed, "current": unit.pk in geo.versions,
        "may_enter": permissions.may_enter(request.user),
    })


def export(request):
    scope = scope_of(request)
    period = _period(request, scope=scope)
    level = _level(request)
    importer = ValueImporter(Division.objects.visible_to(request.user).subtree(scope), request.user, level, period)
    units = list(importer.unit_queryset(None))
    name = f"{scope.name}{period_label(period)}{'村级' if level == Level.VILLAGE else '乡镇'}指标"
    return export_response(value_rows(importer, units), [c.header for c in importer.columns], name,
                           fmt="csv" if request.GET.get("format") == "csv" else "xlsx")


class ValueImportView(ImportView):
    def check_permission(self):
        if period_type_of(self.request.GET.get("period", "")) is None:
            raise Http404("请指定期间")

    def get_importer(self):
        return ValueImporter(Division.objects.visible_to(self.request.user), self.request.user, _level(self.request),
                             self.request.GET["period"])

    def get_success_url(self):
        return reverse("indicators:values") + f"?period={self.request.GET['period']}&level={_level(self.request)}"

    def get_back(self):
        return "指标填报", self.get_success_url()


# --- collective economy ---------------------------------------------------------------------------

def collective(request, threshold_form=None):
    scope = scope_of(request)
    year = int(_period(request, scope=scope)[:4])
    summary = dashboard.collective_summary(request.user, scope, years())
    qs = CollectiveEconomy.objects.visible_to(request.user).filter(year=year).select_related("village", "village__parent")
    qs = [r for r in qs if r.village.path.startswith(scope.path)]
    wanted = request.GET.get("class")
    if wanted in EconomyClass.values:
        qs = [r for r in qs if r.classification == wanted]
    missing = dashboard.villages_without_collective(request.user, scope, year)
    rents = asset_rents(year, [r.village_id for r in qs])
    for r in qs:
        r.asset_rent = rents.get(r.village_id)
    return render(request, "indicators/collective.html", {
        "scope": scope, "year": year, "years": years(), "places": places(request.user), "records": qs,
        "summary": summary, "chart": dashboard.collective_chart(summary), "wanted": wanted,
        "classes": EconomyClass.choices, "threshold": services.threshold_on(year),
        "threshold_form": threshold_form or ThresholdForm(
            initial={"value": services.threshold_on(year), "valid_from": dt.date(year, 1, 1)}),
        "parameters": dashboard.threshold_history(), "may_manage": permissions.may_manage(request.user),
        "may_enter": permissions.may_enter(request.user), "missing": missing,
    }, status=400 if threshold_form is not None else 200)


def asset_rents(year: int, villages) -> dict[int, Decimal]:
    """The asset ledger's lease income (CE_ASSET_RENT, 万元) of these villages in `year`, in 元."""
    values = DataValue.objects.filter(element__code=services.ASSET_RENT, period=str(year), unit_id__in=list(villages))
    return {v.unit_id: v.number * 10000 for v in values if v.number is not None}


def collective_edit(request, pk, year):
    village = get_object_or_404(Division.objects.visible_to(request.user).filter(level=Level.VILLAGE), pk=pk)
    if not 2000 <= year <= 2100:
        raise Http404
    record = CollectiveEconomy.objects.filter(village=village, year=year).first()
    form = CollectiveForm(request.POST or None, instance=record or CollectiveEconomy(village=village, year=year))
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in CollectiveForm.Meta.fields}
        try:
            record, outcome = services.save_collective(request.user, village, year, **fields)
        except (services.IndicatorError, OutOfScope) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已保存{village.name}{year}年集体经济:{record.get_classification_display()}"
                                      f"(经营性收入 {record.operating_income:,.2f} 元)")
            return redirect(reverse("indicators:collective") + f"?year={year}")
    return render(request, "indicators/collective_form.html", {
        "form": form, "village": village, "year": year, "record": record, "threshold": services.threshold_on(year),
        "asset_rent": asset_rents(year, [village.pk]).get(village.pk),
        "history": history_card(record) if record else None,
        "series": CollectiveEconomy.objects.filter(village=village).order_by("year"),
    })


@require_POST
def threshold(request):
    form = ThresholdForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        changed = services.set_threshold(request.user, d["value"], d["valid_from"], d["note"])
        messages.success(request, f"薄弱村标准自 {d['valid_from']} 起调整为 {d['value']:,.0f} 元,{changed} 个村的类别随之变化")
        return redirect("indicators:collective")
    # the page again, every error beside its field and what was typed kept
    return collective(request, threshold_form=form)


def collective_export(request):
    scope = scope_of(request)
    records = (CollectiveEconomy.objects.visible_to(request.user).filter(subtree_q(scope, "village__path"))
               .select_related("village").order_by("village__path", "year"))
    headers = [c.header for c in CollectiveImporter.columns] + ["经营性收入(元)", "类别"]
    return export_response(collective_rows(records), headers, f"{scope.name}村集体经济",
                           fmt="csv" if request.GET.get("format") == "csv" else "xlsx")


class CollectiveImportView(ImportView):
    def get_importer(self):
        return CollectiveImporter(Division.objects.visible_to(self.request.user), self.request.user)

    def get_success_url(self):
        return reverse("indicators:collective")

    def get_back(self):
        return "村集体经济", self.get_success_url()


# --- targets --------------------------------------------------------------------------------------

def targets(request):
    scope = scope_of(request)
    geo = aggregate.Geography.on(scope)
    qs = Target.objects.visible_to(request.user).filter(subtree_q(scope, "unit__path"))
    progresses = services.assess(qs, geo)
    status = request.GET.get("status")
    shown = [p for p in progresses if not status or p.status == status or (status == "flagged" and p.flagged)]
    return render(request, "indicators/targets.html", {
        "scope": scope, "places": places(request.user), "progresses": shown, "all_count": len(progresses),
        "ranking": services.township_ranking(progresses), "status": status,
        "statuses": list(services.Progress.STATUS_LABELS.items()), "may_manage": permissions.may_manage(request.user),
        "flagged": sum(1 for p in progresses if p.flagged),
    })


def target_form(request, pk=None):
    target = get_object_or_404(Target.objects.visible_to(request.user), pk=pk) if pk else Target()
    form = TargetForm(request.POST or None, instance=target, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_target(request.user, form.instance)
        except (services.IndicatorError, OutOfScope) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已保存考核目标:{form.instance}")
            return redirect("indicators:targets")
    return render(request, "indicators/target_form.html", {
        "form": form, "target": target, "history": history_card(target) if target.pk else None})

"""Pages of the convenience-services module. Views are thin: they scope (`visible_to`), call
services.py, render. A case outside the user's jurisdiction answers 404 on every route."""
import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiangcun.core import paging, params
from xiangcun.core.audit_display import history_card
from xiangcun.core.excel import export_response
from xiangcun.core.excel_views import ImportView, template_response
from xiangcun.core.paging import CappedPaginator
from xiangcun.core.pii import record_full_view
from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import requested_unit

from . import calendar, casework, item_lists, permissions, service_network, stats
from .errors import CaseError
from .filters import TABS, filtered_cases
from .forms import ListForm, PointForm
from .imports import ItemImporter
from .models import (
    Case,
    Delivery,
    Holiday,
    ItemLevel,
    ItemList,
    PointKind,
    ServiceItem,
    ServicePoint,
    Status,
    UnitType,
)

PAGE_SIZE = 50
COUNT_CAP = paging.COUNT_CAP  # a queue counts at most this many cases (200 pages); beyond it, filter or export


def _date(value, default=None):
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return default


def _cases(request):
    return Case.objects.visible_to(request.user)


# --- cases -------------------------------------------------------------------------------------------

def queue(request):
    qs, tab = filtered_cases(request.user, request.GET)
    qs = qs.select_related("item", "village", "handler_unit").order_by("due_date", "-intake_at", "id")
    page = CappedPaginator(qs, PAGE_SIZE, COUNT_CAP).get_page(params.get_page(request.GET))
    cal, today = calendar.Calendar(), dt.date.today()
    for c in page:
        c.flag = casework.deadline_flag(c, cal, today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "services/queue.html", {
        "page": page, "tab": tab, "tabs": TABS, "statuses": Status.choices, "query": query.urlencode(),
        "can_take": permissions.may_take_cases(request.user), "flags": casework.FLAG_LABELS,
    })


def case_export(request):
    qs, _ = filtered_cases(request.user, request.GET)
    rows = ([c.number, c.village.name, c.item.name, c.name_masked, c.get_status_display(), c.intake_at, c.due_date,
             c.completed_at, "是" if c.on_time else ("否" if c.on_time is False else ""), c.working_days, c.trips,
             c.get_delivery_method_display(), c.returned_count]
            for c in qs.select_related("item", "village").order_by("-intake_at").iterator(chunk_size=2000))
    headers = ["受理编号", "受理村(社区)", "事项", "申请人", "状态", "受理时间", "办结期限", "办结时间", "按时办结",
               "用时(工作日)", "跑动次数", "送达方式", "退回补正次数"]
    return export_response(rows, headers, "代办件", "csv" if request.GET.get("format") == "csv" else "xlsx")


def case_new(request):
    villages = Division.objects.visible_to(request.user).filter(level=Level.VILLAGE, valid_to__isnull=True)
    raw = params.get_id({"village": request.POST.get("village") or request.GET.get("village")}, "village")
    village = villages.filter(pk=raw).first() if raw else villages.order_by("path").first()
    # only what this village's window may take today: in use, 可代办, and on its item list if one governs
    items = item_lists.items_for_village(village).order_by("category", "code")
    lists = item_lists.village_lists(village, timezone.localdate()) if village else []
    raw = params.get_id({"item": request.GET.get("item") or request.POST.get("item")}, "item")
    item = items.filter(pk=raw).first() if raw else None
    form = request.POST
    errors: dict[str, str] = {}
    if request.method == "POST":
        # an item the form no longer offers still goes to take_case, which says why it is refused
        chosen = item or (ServiceItem.objects.filter(pk=raw).first() if raw else None)
        if village is None or chosen is None:
            messages.error(request, "请选择受理村(社区)和事项")
        else:
            try:
                case = casework.take_case(request.user, village, chosen, form.get("resident_name", ""),
                                          form.get("resident_id_number", ""), form.get("resident_phone", ""),
                                          form.getlist("materials"))
            except CaseError as exc:
                errors = exc.fields
                messages.error(request, f"有 {len(errors)} 项填写有误,请按提示修改(尚未受理):{exc}" if errors else str(exc))
            else:
                messages.success(request, f"已受理,受理编号 {case.number},办结期限 {case.due_date:%Y年%-m月%-d日}")
                return redirect("services:case", case.pk)
    return render(request, "services/case_new.html", {
        "villages": villages.order_by("path"), "village": village, "items": items, "item": item, "form": form,
        "lists": lists, "errors": errors,
        # every ticked box comes back ticked (QueryDict lookups in a template give only the last value)
        "materials": form.getlist("materials") if request.method == "POST" else [],
    })


def case_detail(request, pk):
    case = get_object_or_404(_cases(request).select_related("item", "village", "handler_unit", "taken_by"), pk=pk)
    cal = calendar.Calendar.for_unit(case.village)
    return render(request, "services/case.html", {
        "calendar_warning": cal.warning(case.intake_date, case.due_date) if case.is_open else "",
        "case": case, "steps": case.steps.select_related("actor"), "flag": casework.deadline_flag(case, cal),
        "flags": casework.FLAG_LABELS, "transitions": casework.available(request.user, case),
        "missing": casework.missing_materials(case), "deliveries": Delivery.choices,
        "can_see_pii": casework.may_see_resident(request.user, case), "history": history_card(case),
        "workflow": [Status.RECEIVED, Status.FORWARDED, Status.PROCESSING, Status.COMPLETED, Status.DELIVERED,
                     Status.ARCHIVED],
        "status_labels": dict(Status.choices),
        "days_left": cal.between(dt.date.today(), case.due_date) if case.is_open else None,
        "completion_blockers": casework.completion_blockers(case) if case.status == Status.PROCESSING else [],
    })


@require_POST
def case_transition(request, pk):
    case = get_object_or_404(_cases(request), pk=pk)
    p = request.POST
    version = int(p["version"]) if (p.get("version") or "").isdigit() else None
    try:
        case = casework.transition(case, p.get("action", ""), request.user, version=version, result=p.get("result", ""),
                                   reason=p.get("reason", ""), missing=p.get("missing", ""),
                                   delivery=p.get("delivery", ""), in_person=p.get("in_person") != "no")
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{casework.TRANSITIONS[p['action']].label},当前状态:{case.get_status_display()}")
    return redirect("services:case", case.pk)


@require_POST
def case_pii(request, pk):
    """The resident's data in full, for a permitted role; every view is logged (pii.view)."""
    case = get_object_or_404(_cases(request), pk=pk)
    if not casework.may_see_resident(request.user, case):
        # another village's agent, a department or township the case is not forwarded to: as if absent
        raise Http404("只有受理该件的代办员和承办单位可以查看申请人完整信息")
    with transaction.atomic():
        record_full_view(request, case, "resident")
    return render(request, "services/_resident.html", {"case": case})


# --- items and lists -------------------------------------------------------------------------------------

def _items(g):
    qs = ServiceItem.objects.all()
    if g.get("level") in ItemLevel.values:
        qs = qs.filter(level=g["level"])
    if g.get("category"):
        qs = qs.filter(category=g["category"])
    q = (g.get("q") or "").strip()
    if q:
        qs = qs.filter(name__contains=q) | qs.filter(code__startswith=q)
    item_list = params.get_id(g, "list")
    if item_list:
        qs = qs.filter(lists__pk=item_list)
    return qs.order_by("code")


def item_list(request):
    page = CappedPaginator(_items(request.GET), PAGE_SIZE).get_page(params.get_page(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "services/items.html", {
        "page": page, "levels": ItemLevel.choices, "query": query.urlencode(),
        "categories": ServiceItem.objects.order_by("category").values_list("category", flat=True).distinct(),
        "can_edit": permissions.may_edit_catalogue(request.user),
    })


ITEM_HEADERS = ["事项编码", "事项名称", "事项类别", "办理层级", "责任部门", "设定依据", "申请材料", "承诺时限(工作日)",
                "收费标准", "可代办", "跑动次数", "网上办理渠道", "所属清单"]


def _item_rows(qs):
    for i in qs.prefetch_related("lists"):
        yield [i.code, i.name, i.category, i.get_level_display(), i.department, i.legal_basis,
               ";".join(i.material_list), i.time_limit, i.fee, "是" if i.proxy_allowed else "否", i.get_trips_display(),
               i.online_channel, ";".join(sorted({lst.name for lst in i.lists.all() if lst.effective_to is None}))]


def item_export(request):
    return export_response(_item_rows(_items(request.GET)), ITEM_HEADERS, "便民服务事项",
                           "csv" if request.GET.get("format") == "csv" else "xlsx")


def item_detail(request, pk):
    item = get_object_or_404(ServiceItem, pk=pk)
    return render(request, "services/item.html", {"item": item, "lists": item.lists.order_by("name", "-version"),
                                                   "history": history_card(item)})


class ItemImportView(ImportView):
    importer_class = ItemImporter
    template_url_name = "services:item_template"

    def get_success_url(self):
        return reverse("services:items")

    def get_back(self):
        return "服务事项", reverse("services:items")


item_import = ItemImportView.as_view()


def item_template(request):
    return template_response(ItemImporter(scope=Division.objects.none()))


def list_index(request):
    lists = ItemList.objects.visible_to(request.user).select_related("unit").order_by("unit_type", "name", "-version")
    from django.db.models import Count

    lists = lists.annotate(n=Count("items"))
    can_edit = permissions.may_edit_catalogue(request.user)
    return render(request, "services/lists.html", {"lists": lists, "unit_types": UnitType.choices,
                                                   "today": dt.date.today(), "can_edit": can_edit,
                                                   "form": ListForm(user=request.user) if can_edit else None})


def list_new(request):
    """新建清单: the first version of a list for a unit type in an area, or for one unit."""
    form = ListForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            lst = item_lists.create_list(request.user, name=d["name"], unit_type=d["unit_type"], unit=d["unit"],
                                       effective_from=d["effective_from"], document=d["document"], items=d["items"])
        except CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已新建{lst},自 {lst.effective_from:%Y-%m-%d} 起施行,含 {len(d['items'])} 个事项")
            return redirect("services:list", lst.pk)
    return render(request, "services/list_new.html", {"form": form})


def list_detail(request, pk):
    lst = get_object_or_404(ItemList.objects.visible_to(request.user).select_related("unit"), pk=pk)
    return _list_page(request, lst)


def _list_page(request, lst, posted=None, error="", status=200):
    """The list page; after a refused new version, the form comes back with what was entered (`posted`)."""
    items = lst.items.order_by("level", "category", "code")
    versions = ItemList.objects.filter(name=lst.name).order_by("-version")
    previous = versions.filter(version__lt=lst.version).first()
    added = removed = []
    if previous is not None:
        old, new = set(previous.items.values_list("pk", flat=True)), set(items.values_list("pk", flat=True))
        added = ServiceItem.objects.filter(pk__in=new - old)
        removed = ServiceItem.objects.filter(pk__in=old - new)
    return render(request, "services/list.html", {
        "list": lst, "items": items, "versions": versions, "previous": previous, "added": added, "removed": removed,
        "can_edit": permissions.may_edit_catalogue(request.user), "all_items": ServiceItem.objects.filter(is_active=True),
        "chosen": set(posted["items"]) if posted else set(items.values_list("pk", flat=True)),
        "today": dt.date.today(), "governs_windows": lst.unit_type == UnitType.VILLAGE,
        "posted": posted or {}, "version_error": error,
    }, status=status)


def list_export(request, pk):
    lst = get_object_or_404(ItemList.objects.visible_to(request.user), pk=pk)
    return export_response(_item_rows(lst.items.order_by("level", "category", "code")), ITEM_HEADERS,
                           f"{lst.name}第{lst.version}版", "csv" if request.GET.get("format") == "csv" else "xlsx")


@require_POST
def list_version(request, pk):
    """A new version of a list with the chosen items, effective from a date; the old one ends then."""
    lst = get_object_or_404(ItemList.objects.visible_to(request.user), pk=pk)
    effective = _date(request.POST.get("effective_from"))
    ids = [int(x) for x in request.POST.getlist("items") if x.isdigit()]
    try:
        new = item_lists.new_list_version(lst, effective, ids, request.POST.get("document", ""))
    except CaseError as exc:  # the form comes back with every ticked item and the date still there
        posted = {"items": ids, "effective_from": request.POST.get("effective_from", ""),
                  "document": request.POST.get("document", "")}
        return _list_page(request, lst, posted=posted, error=str(exc), status=400)
    messages.success(request, f"已发布{new},自 {new.effective_from:%Y-%m-%d} 起施行")
    return redirect("services:list", new.pk)


# --- network ----------------------------------------------------------------------------------------------

def _network_params(request):
    max_km = params.get_float(request.GET, "km", 5.0, lo=0.5, hi=100)
    detour = params.get_float(request.GET, "detour", service_network.DETOUR, lo=1, hi=3)
    return max_km, detour


def _coverage(request, points, max_km, detour):
    villages = (Division.objects.visible_to(request.user).filter(level=Level.VILLAGE, valid_to__isnull=True)
                .select_related("parent").order_by("path"))
    return service_network.coverage(villages, points, max_km, detour)


def network(request):
    max_km, detour = _network_params(request)
    points = service_network.network_points(request.user)
    rows = _coverage(request, points, max_km, detour)
    gaps = [r for r in rows if r.gap]
    map_points = [{"lat": p.lat, "lon": p.lon, "color": service_network.KIND_COLORS[p.kind],
                   "radius": 9 if p.kind == PointKind.CENTRE else 6,
                   "label": f"{p.name}({p.get_kind_display()},{p.opening_hours})"} for p in points if p.lat is not None]
    map_points += [{"lat": r.village.lat, "lon": r.village.lon, "color": "#c8102e", "radius": 5,
                    "label": f"服务空白:{r.village.name}(最近网点约 {r.km} km)"} for r in gaps if r.village.lat is not None]
    return render(request, "services/network.html", {
        "points": points, "rows": rows, "gaps": gaps, "max_km": max_km, "detour": detour, "map_points": map_points,
        "legend": [(PointKind(k).label, c) for k, c in service_network.KIND_COLORS.items()] + [("服务空白村", "#c8102e")],
        "query": f"km={max_km:g}&detour={detour:g}", "can_edit": permissions.may_edit_catalogue(request.user),
    })


def point_form(request, pk=None):
    """新增 or 编辑 a service point (the reform office and administrators, inside their jurisdiction)."""
    point = None
    if pk is not None:
        point = get_object_or_404(ServicePoint.objects.visible_to(request.user).select_related("unit"), pk=pk)
    form = PointForm(request.POST or None, instance=point, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = service_network.save_point(request.user, form.save(commit=False), form.cleaned_data["villages"])
        except CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已{'保存' if point else '新增'}网点“{saved.name}”")
            return redirect(reverse("services:network") + "#tab-points")
    return render(request, "services/point_form.html", {
        "form": form, "point": point, "title": f"编辑网点:{point.name}" if point else "新增服务网点",
        "history": history_card(point) if point else None,
    })


@require_POST
def point_active(request, pk):
    """停用 (with a reason) or 恢复启用 a service point; never deleted."""
    point = get_object_or_404(ServicePoint.objects.visible_to(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        point = service_network.set_point_active(request.user, point, active, request.POST.get("reason", ""))
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{'恢复启用' if active else '停用'}网点“{point.name}”")
    return redirect("services:point_edit", point.pk)


COVERAGE_HEADERS = ["村(社区)", "统计用区划代码", "乡镇", "最近网点", "估算距离(km)", "指定服务网点", "结论"]


def network_export(request):
    """各村服务可达情况 as .xlsx or CSV, with the page's radius and detour factor."""
    max_km, detour = _network_params(request)
    rows = _coverage(request, service_network.network_points(request.user), max_km, detour)
    out = ([r.village.name, r.village.code, r.village.parent.name, r.nearest.name if r.nearest else "", r.km,
            "、".join(r.served_by), f"服务空白(超出 {max_km:g} 公里)" if r.gap else "覆盖"] for r in rows)
    return export_response(out, COVERAGE_HEADERS, "各村服务可达情况", "csv" if request.GET.get("format") == "csv" else "xlsx")


def holidays(request):
    from . import calendar

    counties = Division.objects.visible_to(request.user).filter(level=Level.COUNTY, valid_to__isnull=True).order_by("code")
    if request.method == "POST":  # the catalogue's keepers only (permissions.URLS)
        day = _date(request.POST.get("date"))
        name = (request.POST.get("name") or "").strip()
        raw_county = request.POST.get("county") or ""
        county = counties.filter(pk=int(raw_county)).first() if raw_county.isdigit() else None
        if raw_county and county is None:
            messages.error(request, "适用范围不在您的管辖范围内")
        elif not raw_county and not request.user.sees_everything:
            messages.error(request, "全国节假日只能由系统管理员登记;本县的地方性节假日请选择适用的县(市、区)")
        elif day is None or not name:
            messages.error(request, "请填写日期和名称")
        elif not dt.date(1949, 10, 1) <= day <= dt.date.today() + dt.timedelta(days=3 * 366):
            messages.error(request, f"日期 {day:%Y-%m-%d} 超出可登记的范围(1949年10月1日至三年后)")
        else:
            Holiday.objects.update_or_create(date=day, county=county, defaults={
                "name": name[:40], "is_workday": request.POST.get("is_workday") == "1"})
            where = f"({county.name})" if county else "(全国)"
            messages.success(request, f"已登记 {day:%Y-%m-%d} {name}{where}")
        return redirect(f"{reverse('services:holidays')}?year={day.year if day else ''}")
    today = dt.date.today()
    year = min(max(params.get_year(request.GET, "year", today.year), 1949), today.year + 3)
    # years people will compute deadlines in: this one, the next, and those open cases are due in
    due_years = {d.year for d in Case.objects.visible_to(request.user).filter(
        status__in=(Status.RECEIVED, Status.FORWARDED, Status.PROCESSING, Status.RETURNED))
        .dates("due_date", "year")}
    national = []
    if calendar.national_covers(year):
        import chinese_calendar

        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        national = [{"date": d, "name": chinese_calendar.get_holiday_detail(d)[1] or "", "is_workday": False}
                    for d in chinese_calendar.get_holidays(start, end, include_weekends=False)]
        national += [{"date": d, "name": "调休上班", "is_workday": True}
                     for d in chinese_calendar.get_workdays(start, end, include_weekends=True) if d.weekday() >= 5]
        national.sort(key=lambda r: r["date"])
    return render(request, "services/holidays.html", {
        "days": Holiday.objects.filter(date__year=year).select_related("county"), "year": year, "national": national,
        "national_years": calendar.NATIONAL_YEARS, "covered": calendar.national_covers(year)
        or year in calendar.entered_years(),
        "missing": calendar.missing_years({today.year, today.year + 1} | due_years),
        "counties": counties, "can_edit": permissions.may_edit_catalogue(request.user),
        "can_edit_national": request.user.sees_everything,
    })


# --- measures ---------------------------------------------------------------------------------------------

def _report(request):
    today = dt.date.today()
    user = request.user
    scopes = list(Division.objects.visible_to(user).filter(level__in=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE))
                  .order_by("level", "path")[:400])
    scope = requested_unit(user, request.GET)
    date_from = params.get_date(request.GET, "from", dt.date(today.year, 1, 1))
    date_to = params.get_date(request.GET, "to", today)
    return stats.report_for(user, scope, date_from, date_to, today), scopes


def measures(request):
    rep, scopes = _report(request)
    month_chart = {"labels": [r.label for r in rep.by_month], "series": [
        {"name": "受理", "data": [r.taken for r in rep.by_month], "color": "#1f4e79"},
        {"name": "办结", "data": [r.completed for r in rep.by_month], "color": "#2e7d32"},
        {"name": "按时办结", "data": [r.on_time for r in rep.by_month], "color": "#6baed6"},
        {"name": "退回补正", "data": [r.returned for r in rep.by_month], "color": "#d97706"}]}
    top = rep.by_item[:12]
    item_chart = {"labels": [r.label for r in top], "series": [
        {"name": "受理", "data": [r.taken for r in top], "color": "#1f4e79"},
        {"name": "按时办结率(%)", "data": [r.on_time_pct for r in top], "color": "#2e7d32"},
        {"name": "最多跑一次率(%)", "data": [r.one_trip_pct for r in top], "color": "#6a3d9a"}]}
    values = {str(r.key): r.taken for r in rep.by_village}
    query = request.GET.copy()
    return render(request, "services/measures.html", {
        "rep": rep, "scopes": scopes, "month_chart": month_chart, "item_chart": item_chart, "village_values": values,
        "query": query.urlencode(),
    })


def measures_export(request):
    rep, _ = _report(request)
    name = f"代办件办理情况_{rep.scope.name if rep.scope else '全部'}_{rep.date_from:%Y%m%d}-{rep.date_to:%Y%m%d}"
    return export_response(stats.export_rows(rep), stats.HEADERS, name, "csv" if request.GET.get("format") == "csv" else "xlsx")

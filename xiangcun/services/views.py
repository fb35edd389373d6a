"""Pages of the convenience-services module. Views are thin: they scope (`visible_to`), call
services.py, render. A case outside the user's jurisdiction answers 404 on every route."""
import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiangcun.core.audit_views import history_card
from xiangcun.core.excel import export_response
from xiangcun.core.excel_views import ImportView, template_response
from xiangcun.core import paging
from xiangcun.core.paging import CappedPaginator
from xiangcun.core.pii import record_full_view
from xiangcun.divisions.models import Division, Level

from . import services, stats
from .forms import ListForm, PointForm
from .imports import ItemImporter
from .models import (
    Case, Delivery, Holiday, ItemLevel, ItemList, PointKind, ServiceItem, ServicePoint, Status, Trips, UnitType,
)

PAGE_SIZE = 50
COUNT_CAP = paging.COUNT_CAP  # a queue counts at most this many cases (200 pages); beyond it, filter or export


def _require(pred, request):
    if not pred(request.user):
        raise PermissionDenied("您的角色不能执行该操作")


def _date(value, default=None):
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return default


def _cases(request):
    return Case.objects.visible_to(request.user)


# --- cases -------------------------------------------------------------------------------------------

TABS = [("todo", "待我处理"), ("open", "在办"), ("overdue", "已逾期"), ("nearly", "即将到期"), ("done", "已办结"),
        ("all", "全部")]


def filtered_cases(user, g, today=None):
    """The queue of `user` (services.queue) with the page's filters: tab, status, item, village, q."""
    today = today or dt.date.today()
    qs = services.queue(user)
    tab = g.get("tab") or "todo"
    if tab == "todo":
        qs = qs.filter(status__in=services.waiting_on(user))
    elif tab == "open":
        qs = qs.filter(status__in=(Status.RECEIVED, Status.FORWARDED, Status.PROCESSING, Status.RETURNED))
    elif tab == "overdue":
        qs = qs.filter(status__in=(Status.RECEIVED, Status.FORWARDED, Status.PROCESSING), due_date__lt=today)
    elif tab == "nearly":
        cal = services.Calendar()
        qs = qs.filter(status__in=(Status.RECEIVED, Status.FORWARDED, Status.PROCESSING), due_date__gte=today,
                       due_date__lte=cal.add(today, services.NEARLY_DUE))
    elif tab == "done":
        qs = qs.filter(status__in=(Status.COMPLETED, Status.DELIVERED, Status.ARCHIVED))
    if g.get("status") in Status.values:
        qs = qs.filter(status=g["status"])
    if (g.get("item") or "").isdigit():
        qs = qs.filter(item_id=int(g["item"]))
    q = (g.get("q") or "").strip()
    if q:
        qs = qs.filter(number__startswith=q)
    return qs, tab


def queue(request):
    qs, tab = filtered_cases(request.user, request.GET)
    qs = qs.select_related("item", "village", "handler_unit").order_by("due_date", "-intake_at", "id")
    page = CappedPaginator(qs, PAGE_SIZE, COUNT_CAP).get_page(request.GET.get("page"))
    cal, today = services.Calendar(), dt.date.today()
    for c in page:
        c.flag = services.deadline_flag(c, cal, today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "services/queue.html", {
        "page": page, "tab": tab, "tabs": TABS, "statuses": Status.choices, "query": query.urlencode(),
        "can_take": services.may_take_cases(request.user), "flags": services.FLAG_LABELS,
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
    _require(services.may_take_cases, request)
    villages = Division.objects.visible_to(request.user).filter(level=Level.VILLAGE, valid_to__isnull=True)
    raw = request.POST.get("village") or request.GET.get("village") or ""
    village = villages.filter(pk=int(raw)).first() if raw.isdigit() else villages.order_by("path").first()
    # only what this village's window may take today: in use, 可代办, and on its item list if one governs
    items = services.items_for_village(village).order_by("category", "code")
    lists = services.village_lists(village, timezone.localdate()) if village else []
    raw = request.GET.get("item") or request.POST.get("item") or ""
    item = items.filter(pk=int(raw)).first() if raw.isdigit() else None
    form = request.POST
    if request.method == "POST":
        # an item the form no longer offers still goes to take_case, which says why it is refused
        chosen = item or (ServiceItem.objects.filter(pk=int(raw)).first() if raw.isdigit() else None)
        if village is None or chosen is None:
            messages.error(request, "请选择受理村(社区)和事项")
        else:
            try:
                case = services.take_case(request.user, village, chosen, form.get("resident_name", ""),
                                          form.get("resident_id_number", ""), form.get("resident_phone", ""),
                                          form.getlist("materials"))
            except services.CaseError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已受理,受理编号 {case.number},办结期限 {case.due_date:%Y年%-m月%-d日}")
                return redirect("services:case", case.pk)
    return render(request, "services/case_new.html", {
        "villages": villages.order_by("path"), "village": village, "items": items, "item": item, "form": form,
        "lists": lists,
    })


def case_detail(request, pk):
    case = get_object_or_404(_cases(request).select_related("item", "village", "handler_unit", "taken_by"), pk=pk)
    cal = services.Calendar()
    return render(request, "services/case.html", {
        "case": case, "steps": case.steps.select_related("actor"), "flag": services.deadline_flag(case, cal),
        "flags": services.FLAG_LABELS, "transitions": services.available(request.user, case),
        "missing": services.missing_materials(case), "deliveries": Delivery.choices,
        "can_see_pii": services.may_see_full_pii(request.user), "history": history_card(case),
        "workflow": [Status.RECEIVED, Status.FORWARDED, Status.PROCESSING, Status.COMPLETED, Status.DELIVERED,
                     Status.ARCHIVED],
        "status_labels": dict(Status.choices),
        "days_left": cal.between(dt.date.today(), case.due_date) if case.is_open else None,
    })


@require_POST
def case_transition(request, pk):
    case = get_object_or_404(_cases(request), pk=pk)
    _require(services.may_work_cases, request)
    p = request.POST
    version = int(p["version"]) if (p.get("version") or "").isdigit() else None
    try:
        case = services.transition(case, p.get("action", ""), request.user, version=version, result=p.get("result", ""),
                                   reason=p.get("reason", ""), missing=p.get("missing", ""),
                                   delivery=p.get("delivery", ""), in_person=p.get("in_person") != "no")
    except services.CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{services.TRANSITIONS[p['action']].label},当前状态:{case.get_status_display()}")
    return redirect("services:case", case.pk)


@require_POST
def case_pii(request, pk):
    """The resident's data in full, for a permitted role; every view is logged (pii.view)."""
    _require(services.may_see_full_pii, request)
    case = get_object_or_404(_cases(request), pk=pk)
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
    if (g.get("list") or "").isdigit():
        qs = qs.filter(lists__pk=int(g["list"]))
    return qs.order_by("code")


def item_list(request):
    page = Paginator(_items(request.GET), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "services/items.html", {
        "page": page, "levels": ItemLevel.choices, "query": query.urlencode(),
        "categories": ServiceItem.objects.order_by("category").values_list("category", flat=True).distinct(),
        "can_edit": services.may_edit_catalogue(request.user),
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

    def check_permission(self):
        _require(services.may_edit_catalogue, self.request)

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
    can_edit = services.may_edit_catalogue(request.user)
    return render(request, "services/lists.html", {"lists": lists, "unit_types": UnitType.choices,
                                                   "today": dt.date.today(), "can_edit": can_edit,
                                                   "form": ListForm(user=request.user) if can_edit else None})


def list_new(request):
    """新建清单: the first version of a list for a unit type in an area, or for one unit."""
    _require(services.may_edit_catalogue, request)
    form = ListForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            lst = services.create_list(request.user, name=d["name"], unit_type=d["unit_type"], unit=d["unit"],
                                       effective_from=d["effective_from"], document=d["document"], items=d["items"])
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已新建{lst},自 {lst.effective_from:%Y-%m-%d} 起施行,含 {len(d['items'])} 个事项")
            return redirect("services:list", lst.pk)
    return render(request, "services/list_new.html", {"form": form})


def list_detail(request, pk):
    lst = get_object_or_404(ItemList.objects.visible_to(request.user).select_related("unit"), pk=pk)
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
        "can_edit": services.may_edit_catalogue(request.user), "all_items": ServiceItem.objects.filter(is_active=True),
        "chosen": set(items.values_list("pk", flat=True)), "today": dt.date.today(),
        "governs_windows": lst.unit_type == UnitType.VILLAGE,
    })


def list_export(request, pk):
    lst = get_object_or_404(ItemList.objects.visible_to(request.user), pk=pk)
    return export_response(_item_rows(lst.items.order_by("level", "category", "code")), ITEM_HEADERS,
                           f"{lst.name}第{lst.version}版", "csv" if request.GET.get("format") == "csv" else "xlsx")


@require_POST
def list_version(request, pk):
    """A new version of a list with the chosen items, effective from a date; the old one ends then."""
    _require(services.may_edit_catalogue, request)
    lst = get_object_or_404(ItemList.objects.visible_to(request.user), pk=pk)
    effective = _date(request.POST.get("effective_from"))
    ids = [int(x) for x in request.POST.getlist("items") if x.isdigit()]
    try:
        new = services.new_list_version(lst, effective, ids, request.POST.get("document", ""))
    except services.CaseError as exc:
        messages.error(request, str(exc))
        return redirect("services:list", lst.pk)
    messages.success(request, f"已发布{new},自 {new.effective_from:%Y-%m-%d} 起施行")
    return redirect("services:list", new.pk)


# --- network ----------------------------------------------------------------------------------------------

def _network_params(request):
    try:
        max_km = max(0.5, min(100.0, float(request.GET.get("km") or 5)))
        detour = max(1.0, min(3.0, float(request.GET.get("detour") or services.DETOUR)))
    except ValueError:
        max_km, detour = 5.0, services.DETOUR
    return max_km, detour


def _coverage(request, points, max_km, detour):
    villages = (Division.objects.visible_to(request.user).filter(level=Level.VILLAGE, valid_to__isnull=True)
                .select_related("parent").order_by("path"))
    return services.coverage(villages, points, max_km, detour)


def network(request):
    max_km, detour = _network_params(request)
    points = services.network_points(request.user)
    rows = _coverage(request, points, max_km, detour)
    gaps = [r for r in rows if r.gap]
    map_points = [{"lat": p.lat, "lon": p.lon, "color": services.KIND_COLORS[p.kind],
                   "radius": 9 if p.kind == PointKind.CENTRE else 6,
                   "label": f"{p.name}({p.get_kind_display()},{p.opening_hours})"} for p in points if p.lat is not None]
    map_points += [{"lat": r.village.lat, "lon": r.village.lon, "color": "#c8102e", "radius": 5,
                    "label": f"服务空白:{r.village.name}(最近网点约 {r.km} km)"} for r in gaps if r.village.lat is not None]
    return render(request, "services/network.html", {
        "points": points, "rows": rows, "gaps": gaps, "max_km": max_km, "detour": detour, "map_points": map_points,
        "legend": [(PointKind(k).label, c) for k, c in services.KIND_COLORS.items()] + [("服务空白村", "#c8102e")],
        "query": f"km={max_km:g}&detour={detour:g}", "can_edit": services.may_edit_catalogue(request.user),
    })


def point_form(request, pk=None):
    """新增 or 编辑 a service point (the reform office and administrators, inside their jurisdiction)."""
    _require(services.may_edit_catalogue, request)
    point = None
    if pk is not None:
        point = get_object_or_404(ServicePoint.objects.visible_to(request.user).select_related("unit"), pk=pk)
    form = PointForm(request.POST or None, instance=point, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_point(request.user, form.save(commit=False), form.cleaned_data["villages"])
        except services.CaseError as exc:
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
    _require(services.may_edit_catalogue, request)
    point = get_object_or_404(ServicePoint.objects.visible_to(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        point = services.set_point_active(request.user, point, active, request.POST.get("reason", ""))
    except services.CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{'恢复启用' if active else '停用'}网点“{point.name}”")
    return redirect("services:point_edit", point.pk)


COVERAGE_HEADERS = ["村(社区)", "统计用区划代码", "乡镇", "最近网点", "估算距离(km)", "指定服务网点", "结论"]


def network_export(request):
    """各村服务可达情况 as .xlsx or CSV, with the page's radius and detour factor."""
    max_km, detour = _network_params(request)
    rows = _coverage(request, services.network_points(request.user), max_km, detour)
    out = ([r.village.name, r.village.code, r.village.parent.name, r.nearest.name if r.nearest else "", r.km,
            "、".join(r.served_by), f"服务空白(超出 {max_km:g} 公里)" if r.gap else "覆盖"] for r in rows)
    return export_response(out, COVERAGE_HEADERS, "各村服务可达情况", "csv" if request.GET.get("format") == "csv" else "xlsx")


def holidays(request):
    if request.method == "POST":
        _require(services.may_edit_catalogue, request)
        day = _date(request.POST.get("date"))
        name = (request.POST.get("name") or "").strip()
        if day is None or not name:
            messages.error(request, "请填写日期和名称")
        else:
            Holiday.objects.update_or_create(date=day, defaults={"name": name[:40],
                                                                 "is_workday": request.POST.get("is_workday") == "1"})
            messages.success(request, f"已登记 {day:%Y-%m-%d} {name}")
        return redirect("services:holidays")
    year = int(request.GET["year"]) if (request.GET.get("year") or "").isdigit() else dt.date.today().year
    return render(request, "services/holidays.html", {
        "days": Holiday.objects.filter(date__year=year), "year": year,
        "can_edit": services.may_edit_catalogue(request.user),
    })


# --- measures ---------------------------------------------------------------------------------------------

def _report(request):
    today = dt.date.today()
    user = request.user
    scopes = list(Division.objects.visible_to(user).filter(level__in=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE))
                  .order_by("level", "path")[:400])
    raw = request.GET.get("scope") or ""
    scope = None
    if raw.isdigit():
        scope = Division.objects.visible_to(user).filter(pk=int(raw)).first()
        if scope is None:
            raise Http404
    elif user.jurisdiction_id:
        scope = user.jurisdiction
    date_from = _date(request.GET.get("from"), dt.date(today.year, 1, 1))
    date_to = _date(request.GET.get("to"), today)
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

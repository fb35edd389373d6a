"""Pages of the divisions module. Views are thin: they scope, call services, render."""
import datetime as dt
import uuid

from django.conf import settings
from django.contrib import messages
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xiangcun.core import jobs, params
from xiangcun.core.audit_display import history_card
from xiangcun.core.excel import export_response
from xiangcun.core.excel_views import ImportView, template_response
from xiangcun.core.paging import CappedPaginator
from xiangcun.core.redirects import redirect_next

from . import filters, geo, imports, nbs, ordering, services, stats
from .exports import stats_workbook
from .forms import BaselineForm, EditionImportForm, EventForm, ReconcileForm, StatsForm, VillagerGroupForm
from .models import (
    ChangeEvent,
    Division,
    Edition,
    EventType,
    Kind,
    Level,
    Proposal,
    ProposalStatus,
    ReconciliationRun,
)
from .nbs import prefix_of
from .permissions import editors
from .scoping import OutOfScope, area_q, code_prefixes, ensure_prefix_in_scope, in_scope, scope_paths

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _units(request):
    return Division.objects.visible_to(request.user)


def _as_of(request):
    return params.get_date(request.GET, "as_of")


CHILD_WORDS = {Level.CITY: "个地级单位", Level.COUNTY: "个县级单位", Level.TOWNSHIP: "个乡镇(街道)",
               Level.VILLAGE: "个村(社区)", Level.GROUP: "个村民小组"}


def _tree_nodes(request, units, abolished: bool, expand_single=False) -> list:
    """Tree rows for `units` (siblings): sorted (groups by number), each with its children's counts in words,
    and `children` already filled for a single-child chain (省 → 州 → 县 opens down to the county)."""
    units = sorted(units, key=ordering.sibling_key)
    visible = _units(request)
    gone_flag = ExpressionWrapper(Q(valid_to__isnull=False), output_field=BooleanField())
    counts = (visible.filter(parent__in=units).annotate(abolished_flag=gone_flag)
              .values("parent_id", "level", "abolished_flag").annotate(n=Count("id")).order_by())
    by_parent: dict = {}
    for row in counts:
        by_parent.setdefault(row["parent_id"], []).append(row)
    former = ordering.former_parents(units)
    for u in units:
        rows = by_parent.get(u.pk, [])
        current = {}
        for r in rows:
            if not r["abolished_flag"]:
                current[r["level"]] = current.get(r["level"], 0) + r["n"]
        gone = sum(r["n"] for r in rows if r["abolished_flag"])
        u.counts = [f"{n} {CHILD_WORDS.get(level, '个下级单位')}" for level, n in sorted(current.items())]
        u.abolished_children = gone
        u.has_children = bool(current) or (abolished and gone)
        u.label = ordering.group_label(u, former, with_village=False) if u.level == Level.GROUP else u.name
        u.opened = None
    standing = [u for u in units if u.valid_to is None]
    if expand_single and len(standing) == 1 and standing[0].has_children:
        only = standing[0]
        only.opened = _tree_nodes(request, _children_of(request, only, abolished), abolished,
                                    expand_single=only.level < Level.COUNTY)
    return units


def _children_of(request, unit, abolished: bool):
    qs = _units(request).filter(parent=unit)
    return qs if abolished else qs.filter(valid_to__isnull=True)


def _tree_roots(request, abolished: bool):
    """The tops of the user's jurisdiction: their unit (and, with abolished units, the ones merged into it);
    for a user who sees everything, the units without a parent."""
    paths = scope_paths(request.user)
    qs = Division.objects.filter(parent__isnull=True) if paths is None else Division.objects.filter(path__in=paths)
    if not abolished:
        qs = qs.filter(valid_to__isnull=True)
    return list(qs)


def division_children(request, pk):
    """The children of one unit as tree rows (loaded when a node is opened)."""
    unit = get_object_or_404(_units(request), pk=pk)
    abolished = request.GET.get("status") == "all"
    return render(request, "divisions/_tree_nodes.html", {
        "nodes": _tree_nodes(request, _children_of(request, unit, abolished), abolished), "abolished": abolished})


def division_list(request):
    """The units as a tree (township → village → group) that opens node by node; a search, a filter or a
    date (then rows are DivisionVersions) lists the matching units instead."""
    as_of = _as_of(request)
    g = request.GET
    status = g.get("status", "current")
    if not (g.get("q", "").strip() or g.get("level") or g.get("kind") or g.get("parent") or as_of or status == "abolished"):
        abolished = status == "all"
        return render(request, "divisions/list.html", {
            "tree": _tree_nodes(request, _tree_roots(request, abolished), abolished, expand_single=True),
            "abolished": abolished, "levels": Level.choices, "kinds": Kind.choices, "status": status,
            "query": g.urlencode(),
        })
    qs = filters.filtered(request)
    if as_of:
        qs = services.versions_on(as_of).filter(division__in=qs.model.objects.visible_to(request.user))
        for key, field in (("level", "level"), ("kind", "kind")):
            value = request.GET.get(key)
            if value:
                qs = qs.filter(**{field: value})
        q = request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    page = CappedPaginator(qs, PAGE_SIZE).get_page(params.get_page(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "divisions/list.html", {
        "page": page, "levels": Level.choices, "kinds": Kind.choices, "query": query.urlencode(),
        "status": request.GET.get("status", "current"), "total": page.paginator.count, "as_of": as_of,
    })


EXPORT_COLUMNS = ["区划代码", "名称", "层级", "类别", "上级", "生效日期", "撤销日期", "户数", "人口"]


def division_export(request):
    """The division list with the page's current filters, as .xlsx (default) or ?format=csv."""
    rows = ([d.code, d.name, d.get_level_display(), d.get_kind_display(), d.parent.name if d.parent else "",
             d.valid_from, d.valid_to, d.households, d.population]
            for d in filters.filtered(request).iterator(chunk_size=2000))
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    return export_response(rows, EXPORT_COLUMNS, "区划单位", fmt)


def division_detail(request, pk):
    return _detail_page(request, get_object_or_404(_units(request).select_related("parent"), pk=pk))


def _detail_page(request, division, group_form=None, status=200):
    """The unit page; after a refused 村民小组, its form comes back with what was typed and each error."""
    children = sorted(division.children.filter(valid_to__isnull=True).select_related("parent"), key=ordering.sibling_key)
    former = ordering.former_parents(children)
    for c in children:  # a group a merger brought here: 一组(原七里村)
        c.label = ordering.group_label(c, former, with_village=False) if c.level == Level.GROUP else c.name
    abolished_children = sorted(division.children.filter(valid_to__isnull=False), key=ordering.sibling_key)
    versions = division.versions.select_related("parent", "event").order_by("valid_from")
    events = ChangeEvent.objects.filter(Q(predecessors=division) | Q(successors=division)).distinct().prefetch_related(*ChangeEvent.SIDES)
    today = dt.date.today()
    successors = services.successors_on(division, today) if division.valid_to else []
    counts = (
        Division.objects.subtree(division, include_self=False).current().values("kind").annotate(n=Count("id"))
    )
    kind_label = dict(Kind.choices)
    return render(request, "divisions/detail.html", {
        "division": division, "ancestors": division.ancestors(), "children": children,
        "abolished_children": abolished_children, "versions": versions, "events": events,
        "successors": successors, "group_form": group_form or VillagerGroupForm(),
        "subtree_counts": [(kind_label[r["kind"]], r["n"]) for r in counts],
        "can_edit": editors(request.user), "history": history_card(division),
    }, status=status)


def division_lineage(request, pk):
    division = get_object_or_404(_units(request), pk=pk)
    return JsonResponse(services.lineage(division))


@require_POST
def group_add(request, pk):
    village = get_object_or_404(_units(request), pk=pk, level=Level.VILLAGE, valid_to__isnull=True)
    form = VillagerGroupForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            imports.save_group(village, d["name"], d["households"], d["population"], d["valid_from"])
        except services.DivisionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已添加村民小组“{d['name']}”")
            return redirect("divisions:detail", pk=pk)
    # every error beside its field, with what was typed still there
    return _detail_page(request, village, group_form=form, status=400)


def group_template(request):
    return template_response(imports.GroupImporter())


class GroupImportView(ImportView):
    """Villager groups of the villages under one unit, from Excel: upload → preview → import."""

    template_url_name = "divisions:group_template"

    def check_permission(self):
        self.unit = get_object_or_404(_units(self.request), pk=self.kwargs["pk"])

    def get_importer(self):
        return imports.GroupImporter(scope=_units(self.request).subtree(self.unit))

    def get_success_url(self):
        return reverse("divisions:detail", args=[self.unit.pk])

    def get_back(self):
        return self.unit.name, self.get_success_url()


group_import = GroupImportView.as_view()


class EventImportView(ImportView):
    """区划变更 from Excel, applied through the registry services: upload → preview → import."""

    template_url_name = "divisions:event_template"

    def get_importer(self):
        return imports.EventImporter(scope=_units(self.request))

    def get_success_url(self):
        return reverse("divisions:events")

    def get_back(self):
        return "变更记录", self.get_success_url()


event_import = EventImportView.as_view()


def event_template(request):
    return template_response(imports.EventImporter())


def event_list(request):
    qs = ChangeEvent.objects.visible_to(request.user)
    typ = request.GET.get("type")
    if typ in EventType.values:
        qs = qs.filter(type=typ)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(predecessors__name__contains=q) | Q(successors__name__contains=q) | Q(document__contains=q)).distinct()
    page = CappedPaginator(qs.prefetch_related(*ChangeEvent.SIDES).order_by("-effective_date", "-id"), PAGE_SIZE).get_page(params.get_page(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "divisions/events.html", {"page": page, "types": EventType.choices, "query": query.urlencode(),
                                                     "can_edit": editors(request.user)})


def event_new(request):
    units = _units(request)
    form = EventForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            form.record(request.user)
        except services.DivisionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "区划变更已记录")
            return redirect("divisions:events")
    return render(request, "divisions/event_form.html", {"form": form})


def _default_scope(request):
    user = request.user
    if user.jurisdiction_id:
        return user.jurisdiction.code
    top = Division.objects.filter(level=Level.COUNTY).order_by("path").first()
    return top.code if top else ""


def stats_page(request):
    data = None
    initial = {"scope": _default_scope(request), "date_from": "2019-10-31", "date_to": "2020-06-30"}
    form = StatsForm(request.GET or None, initial=initial)
    if not request.GET:
        form = StatsForm(initial)
    if form.is_valid():
        scope = form.cleaned_data["scope"].strip()
        unit = Division.objects.filter(code=scope.ljust(12, "0")).first()
        if scope_paths(request.user) is not None and (unit is None or not in_scope(request.user, unit)):
            form.add_error("scope", "该范围不在您的管辖范围内")
        else:
            try:
                data = stats.reform_stats(scope, form.cleaned_data["date_from"], form.cleaned_data["date_to"])
            except stats.StatsError as exc:
                form.add_error(None, str(exc))
    if data and request.GET.get("format") == "xlsx":
        return HttpResponse(stats_workbook(data), content_type=XLSX, headers={
            "Content-Disposition": f"attachment; filename=stats-{data['scope']['code']}.xlsx"})
    chart = None
    if data:
        rows = [r for r in data["rows"] if r["before"] or r["after"]]
        chart = {"labels": [r["label"] for r in rows], "series": [
            {"name": "改革前", "data": [r["before"] for r in rows], "color": "#9aa5b1"},
            {"name": "改革后", "data": [r["after"] for r in rows], "color": "#1f4e79"}]}
    return render(request, "divisions/stats.html", {"form": form, "data": data, "chart": chart,
                                                    "query": request.GET.urlencode()})


def map_page(request):
    level = request.GET.get("level", "5")
    level = level if level in ("3", "4", "5") else "5"
    return render(request, "divisions/map.html", {"level": level, "levels": [("4", "乡级"), ("5", "村级")]})


def geojson(request):
    """Current units of one level in the user's jurisdiction as GeoJSON (for every module's maps)."""
    level = request.GET.get("level", "5")
    if level not in ("2", "3", "4", "5"):
        return JsonResponse({"code": "invalid", "message": "参数 level 应为 2–5"}, status=400)
    units = _units(request).current().filter(level=int(level))
    within = params.get_id(request.GET, "within")  # only the units inside one unit's area (an asset's township …)
    if within is not None:
        area = get_object_or_404(_units(request), pk=within)
        units = units.filter(area_q(area))
    return JsonResponse(geo.feature_collection(units))


def _server_files():
    d = settings.NBS_DIR
    return sorted(p.name for p in d.glob("*.csv*")) if d.is_dir() else []


def edition_list(request):
    form = None
    if editors(request.user):
        form = EditionImportForm(request.POST or None, request.FILES or None, server_files=_server_files())
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            if d.get("file"):
                uploads = settings.MEDIA_ROOT / "uploads"
                uploads.mkdir(parents=True, exist_ok=True)
                path = uploads / f"{uuid.uuid4().hex}-{d['file'].name[-40:]}"
                with open(path, "wb") as fh:
                    for chunk in d["file"].chunks():
                        fh.write(chunk)
            else:
                path = settings.NBS_DIR / d["server_file"]
            job = jobs.start("nbs_import", f"导入 {d['edition']} 年版统计用区划代码", owner=request.user,
                             path=str(path), edition=d["edition"], ref_date=d["ref_date"].isoformat(),
                             scope=d["scope"] or "")
            return redirect("core:job", pk=job.pk)
    editions = Edition.objects.all()
    return render(request, "divisions/editions.html", {"editions": editions, "form": form})


def baseline(request):
    """建立区划基线 from an imported edition, as a background job with a progress bar."""
    form = BaselineForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        job = jobs.start("nbs_adopt", f"按{d['edition'].year}年版建立 {d['county']} 的区划基线", owner=request.user,
                         edition=d["edition"].pk, county=d["county"])
        return redirect("core:job", pk=job.pk)
    return render(request, "divisions/baseline.html", {"form": form, "editions": Edition.objects.all()},
                  status=400 if form.errors else 200)


def _visible_runs(request):
    runs = ReconciliationRun.objects.select_related("from_edition", "to_edition")
    prefixes = code_prefixes(request.user)
    if prefixes is None:
        return runs
    # A run is visible when its scope lies inside one of the user's units.
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(scope__startswith=prefix)
    return runs.filter(q)


def _scope_in_jurisdiction(request, form) -> bool:
    """A comparison may only cover the user's own jurisdiction (the whole country: administrators only)."""
    try:
        scope = nbs.normalise_prefix(form.cleaned_data.get("scope") or "")
        ensure_prefix_in_scope(request.user, scope)
    except (ValueError, OutOfScope) as exc:
        form.add_error("scope", str(exc))
        return False
    form.cleaned_data["scope"] = scope
    return True


def run_list(request):
    form = None
    if editors(request.user):
        default = _default_scope(request)
        form = ReconcileForm(request.POST or None, initial={"scope": prefix_of(default) if default else ""})
        if request.method == "POST" and form.is_valid() and _scope_in_jurisdiction(request, form):
            d = form.cleaned_data
            job = jobs.start("reconcile", f"比对 {d['from_edition'].year}→{d['to_edition'].year} {d['scope'] or '全国'}",
                             owner=request.user, from_edition=d["from_edition"].pk, to_edition=d["to_edition"].pk,
                             scope=d["scope"] or "")
            return redirect("core:job", pk=job.pk)
    return render(request, "divisions/runs.html", {"runs": _visible_runs(request), "form": form})


def run_detail(request, pk):
    run = get_object_or_404(_visible_runs(request), pk=pk)
    qs = run.proposals.all()
    f = {k: request.GET.get(k, "") for k in ("type", "status", "level", "confidence", "q")}
    if f["type"] in EventType.values:
        qs = qs.filter(type=f["type"])
    if f["status"] in ProposalStatus.values:
        qs = qs.filter(status=f["status"])
    level = params.get_int(request.GET, "level", lo=1, hi=Level.GROUP)
    if level is not None:
        qs = qs.filter(level=level)
    if f["confidence"] == "low":
        qs = qs.filter(confidence__lt=0.6)
    elif f["confidence"] == "high":
        qs = qs.filter(confidence__gte=0.8)
    if f["q"]:
        qs = qs.filter(evidence__contains=f["q"])
    if request.method == "POST":  # editors only (permissions.URLS)
        action = request.POST.get("action")
        ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
        chosen = run.proposals.filter(pk__in=ids)
        if action == "confirm":
            done, errors = services.confirm_all(run, user=request.user, proposals=chosen)
            messages.success(request, f"已确认 {done} 条建议")
            for e in errors[:20]:
                messages.error(request, e)
        elif action == "reject":
            pending = list(chosen.filter(status=ProposalStatus.PENDING))
            for p in pending:  # one by one, through the service, so each rejection is audited
                services.reject_proposal(p, user=request.user)
            messages.success(request, f"已驳回 {len(pending)} 条建议")
        return redirect(request.get_full_path())
    page = CappedPaginator(qs, PAGE_SIZE).get_page(params.get_page(request.GET))
    status_counts = dict(run.proposals.values_list("status").annotate(n=Count("id")))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "divisions/run.html", {
        "run": run, "page": page, "f": f, "types": EventType.choices, "statuses": ProposalStatus.choices,
        "status_counts": status_counts, "query": query.urlencode(), "can_edit": editors(request.user),
        "count_rows": [(dict(EventType.choices).get(k, "未变化" if k == "unchanged" else k), v) for k, v in sorted(run.counts.items())],
    })


@require_POST
def proposal_decide(request, pk):
    proposal = get_object_or_404(Proposal.objects.filter(run__in=_visible_runs(request)), pk=pk)
    action = request.POST.get("action")
    try:
        if action == "confirm":
            when = request.POST.get("effective_date")
            when = dt.date.fromisoformat(when) if when else None
            services.confirm_proposal(proposal, user=request.user, effective_date=when,
                                      document=request.POST.get("document", "").strip())
            messages.success(request, "已确认,变更已写入区划台账")
        elif action == "reject":
            services.reject_proposal(proposal, user=request.user)
            messages.success(request, "已驳回")
    except ValueError:
        messages.error(request, "生效日期格式应为 YYYY-MM-DD")
    except services.DivisionError as exc:
        messages.error(request, str(exc))
    return redirect_next(request, reverse("divisions:run", args=[proposal.run_id]))

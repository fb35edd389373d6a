"""The top floor's pages: the 工作台 home page, the audit log and a record's whole history."""
import datetime as dt

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render

from xiangcun.core import audit, cards, params
from xiangcun.core.audit import AuditEntry
from xiangcun.core.audit_display import history_entries, present
from xiangcun.core.paging import CappedPaginator
from xiangcun.core.views import visible_jobs
from xiangcun.divisions import stats
from xiangcun.divisions.models import ChangeEvent, Division, Edition, Level
from xiangcun.divisions.scoping import scope_q

from . import filters

PAGE_SIZE = 50


def home(request):
    units = Division.objects.visible_to(request.user)
    current = units.current()
    counts = dict(current.values_list("level").annotate(n=Count("id")))
    abolished = units.filter(valid_to__isnull=False).count()
    events = ChangeEvent.objects.filter(Q(predecessors__in=units) | Q(successors__in=units)).distinct()
    scope = request.user.jurisdiction or current.filter(level=Level.COUNTY).order_by("path").first()
    reform = None
    if scope is not None and scope.code and scope.level <= Level.TOWNSHIP:  # a village has no reform to count
        editions = list(Edition.objects.order_by("ref_date"))
        baseline = scope.valid_from
        if baseline and editions:
            later = [e.ref_date for e in editions if e.ref_date > baseline]
            if later:
                try:
                    reform = stats.reform_stats(scope.code, baseline, later[0])
                except stats.StatsError:
                    reform = None
    return render(request, "workbench/home.html", {
        "scope": scope,
        "counts": [(label, counts.get(level, 0)) for level, label in
                   ((Level.COUNTY, "县级单位"), (Level.TOWNSHIP, "乡级单位"), (Level.VILLAGE, "村级单位"), (Level.GROUP, "村民小组"))
                   if scope is None or level >= scope.level],
        "cards": cards.cards(request),
        "abolished": abolished,
        "recent_events": events.prefetch_related(*ChangeEvent.SIDES).order_by("-effective_date", "-id")[:8],
        "event_total": events.count(),
        "reform": reform,
        "jobs": visible_jobs(request)[:5],
        "today": dt.date.today(),
    })


def history(request, model, pk):
    """The history of one registered record; 404 for records outside the user's jurisdiction."""
    reg = audit.registration(model)
    if reg is None:
        raise Http404
    obj = None
    if reg.visible is not None and reg.model._base_manager.filter(pk=pk).exists():
        obj = reg.visible(request.user).filter(pk=pk).first()
        if obj is None:
            raise Http404
    # Without a record to check (deleted, or no visibility declared) the entries' paths decide.
    entries = history_entries(reg, obj) if obj is not None else (
        AuditEntry.objects.for_object(model, pk).filter(scope_q(request.user, "path")).select_related("actor"))
    page = CappedPaginator(entries, PAGE_SIZE).get_page(params.get_page(request.GET))
    if obj is None and not page.paginator.count:
        raise Http404
    first = page.object_list[0] if page.object_list else None
    return render(request, "workbench/audit_history.html", {
        "page": page, "history": present(page.object_list), "query": "",
        "title": reg.title(obj) if obj is not None else first.object_repr,
        "type_label": reg.verbose_name, "object_url": reg.url(pk) if reg.url else None,
    })


def audit_log(request):
    """The searchable log, for administrators and the county reform office (within its jurisdiction)."""
    page = CappedPaginator(filters.filtered(request), PAGE_SIZE).get_page(params.get_page(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "workbench/audit_log.html", {
        "page": page, "entries": present(page.object_list), "query": query.urlencode(), "f": request.GET,
        "actions": sorted(audit.ACTIONS.items()),
        "types": sorted((label, r.verbose_name) for label, r in audit.REGISTRY.items()),
    })

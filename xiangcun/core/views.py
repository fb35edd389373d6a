import datetime as dt

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from xiangcun.divisions import stats
from xiangcun.divisions.models import ChangeEvent, Division, Edition, Level

from . import cards
from .models import Job


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
    return render(request, "core/home.html", {
        "scope": scope,
        "counts": [(label, counts.get(level, 0)) for level, label in
                   ((Level.COUNTY, "县级单位"), (Level.TOWNSHIP, "乡级单位"), (Level.VILLAGE, "村级单位"), (Level.GROUP, "村民小组"))
                   if scope is None or level >= scope.level],
        "cards": cards.cards(request),
        "abolished": abolished,
        "recent_events": events.prefetch_related("predecessors", "successors").order_by("-effective_date", "-id")[:8],
        "event_total": events.count(),
        "reform": reform,
        "jobs": _jobs(request)[:5],
        "today": dt.date.today(),
    })


def _jobs(request):
    qs = Job.objects.all()
    if not request.user.sees_everything:
        qs = qs.filter(owner=request.user)
    return qs


def job_list(request):
    return render(request, "core/jobs.html", {"jobs": _jobs(request)[:200]})


def job_detail(request, pk):
    return render(request, "core/job.html", {"job": get_object_or_404(_jobs(request), pk=pk)})


def job_progress(request, pk):
    job = get_object_or_404(_jobs(request), pk=pk)
    if not request.headers.get("HX-Request") and request.GET.get("partial") is None:
        raise Http404
    return render(request, "core/_job_progress.html", {"job": job})

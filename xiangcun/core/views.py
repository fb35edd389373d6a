from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import Job, JobStatus


def visible_jobs(request):
    """The background jobs the user may see: everyone's for those who see everything, else their own."""
    qs = Job.objects.all()
    if not request.user.sees_everything:
        qs = qs.filter(owner=request.user)
    return qs


def job_list(request):
    return render(request, "core/jobs.html", {"jobs": visible_jobs(request)[:200]})


def job_detail(request, pk):
    return render(request, "core/job.html", {"job": get_object_or_404(visible_jobs(request), pk=pk)})


def job_progress(request, pk):
    job = get_object_or_404(visible_jobs(request), pk=pk)
    if not request.headers.get("HX-Request") and request.GET.get("partial") is None:
        raise Http404
    response = render(request, "core/_job_progress.html", {"job": job})
    if job.status == JobStatus.SUCCEEDED and (job.result or {}).get("open") and job.result_url:
        response["HX-Redirect"] = job.result_url  # e.g. a large import's check: on to its preview
    return response

"""The background job that proposes a zoning scheme by optimisation."""
from django.urls import reverse

from xiangcun.accounts.models import User
from xiangcun.core import jobs
from xiangcun.divisions.models import Division

from . import services


@jobs.job_kind("zoning_proposal")
def proposal_job(job, report, county, level, p, name, min_pop=None, max_pop=None, time_limit=20.0):
    user = User.objects.get(pk=job.owner_id)
    scheme = services.propose(user, Division.objects.get(pk=county), level, p, name=name, min_pop=min_pop,
                              max_pop=max_pop, time_limit=time_limit, report=report)
    report(3, 3, "完成")
    return ({"片区数": scheme.zones.count()}, reverse("zones:scheme", args=[scheme.pk]))

"""Background job kinds of the divisions module."""
import datetime as dt

from django.urls import reverse

from xiangcun.core.jobs import job_kind

from . import services
from .models import Edition


@job_kind("nbs_import")
def nbs_import(job, report, path, edition, ref_date, scope=""):
    result = services.import_edition(path, int(edition), dt.date.fromisoformat(ref_date), scope=scope, progress=report)
    return {"message": result.message, "added": result.added}, reverse("divisions:editions")


@job_kind("reconcile")
def reconcile(job, report, from_edition, to_edition, scope=""):
    run = services.run_reconciliation(
        Edition.objects.get(pk=from_edition), Edition.objects.get(pk=to_edition), scope, user=job.owner, progress=report
    )
    return {"message": f"比对完成,共 {sum(v for k, v in run.counts.items() if k != 'unchanged')} 条变更建议", "counts": run.counts}, reverse(
        "divisions:run", args=[run.pk]
    )

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


@job_kind("nbs_adopt")
def nbs_adopt(job, report, edition, county):
    """Build a county's baseline from an imported edition (the browser's 建立基线; CLI: divisions adopt)."""
    ed = Edition.objects.get(pk=edition)
    created = services.adopt_baseline(ed, county, user=job.owner, progress=report)
    top = services.lookup(county.ljust(12, "0"), ed.ref_date)
    message = (f"已按{ed.year}年版建立 {county} 的区划基线:新建 {created} 个单位" if created
               else f"{county} 的单位已全部在区划台账中,未新建单位")
    return {"message": message, "created": created}, (
        reverse("divisions:detail", args=[top.pk]) if top else reverse("divisions:list"))

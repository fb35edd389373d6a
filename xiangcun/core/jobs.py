"""Background jobs: a Job row for people, a django-tasks task for the worker.

A job kind is a plain function `fn(job, report, **params) -> (result_dict, result_url)` registered
with `@job_kind("name")`; `start()` creates the row and enqueues it; the worker runs `execute`.
The function does its writes in its own transaction, so a failure leaves no partial writes.
"""
import traceback

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import audit
from .models import Job, JobStatus

KINDS = {}


def job_kind(name):
    def register(fn):
        KINDS[name] = fn
        return fn

    return register


def start(kind: str, title: str, owner=None, **params) -> Job:
    if kind not in KINDS:
        raise KeyError(kind)
    job = Job.objects.create(kind=kind, title=title, owner=owner, params=params)
    transaction.on_commit(lambda: execute.enqueue(job.pk))
    return job


@task()
def execute(job_id: int) -> None:
    # Several workers may run: only the one that flips queued → running does the work.
    if not Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING, started_at=timezone.now()):
        return
    job = Job.objects.get(pk=job_id)

    def report(done, total, message=""):
        Job.objects.filter(pk=job_id).update(done=done, total=total, message=message[:300])

    try:
        with audit.context(actor=job.owner, request_id=f"job-{job.pk}"):  # the job's changes are its owner's
            result, url = KINDS[job.kind](job, report, **job.params)
    except Exception as exc:  # the job page shows the error; the function's transaction rolled back
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=str(exc) or exc.__class__.__name__, finished_at=timezone.now(),
            message="失败",
        )
        if not getattr(exc, "expected", False) and not exc.__class__.__module__.startswith("xiangcun"):
            traceback.print_exc()
        return
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED, result=result, result_url=url or "", finished_at=timezone.now(), message="完成"
    )

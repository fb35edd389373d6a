"""Background jobs: a Job row for people, a django-tasks task for the worker.

A job kind is a plain function `fn(job, report, **params) -> (result_dict, result_url)` registered
with `@job_kind("name")`; `start()` creates the row and enqueues it; the worker runs `execute`.
The function does its writes in its own transaction, so a failure leaves no partial writes.

Progress while the function's transaction is open
-------------------------------------------------
`report(done, total, message)` writes the Job row on a connection of its own, in autocommit, so
the job page (which polls the row) sees each step at once — also the steps reported inside the
function's `transaction.atomic()`, which stays one atomic write. (On the job's own connection the
progress would only become visible at commit: the bar would sit at "校验通过" through the whole
write and then jump to 100%.) The function must therefore not update its own Job row inside its
transaction: the progress connection would wait for that row lock; it gives up after a few
seconds (`lock_timeout`) and the job carries on without that progress step.

SQLite is the exception: it has one writer at a time, and the function's open write transaction
holds that lock, so a second connection would wait for the busy timeout and then fail with
"database is locked". There `report` writes on the job's own connection (progress reported
inside the transaction shows at commit). During a long write on SQLite the web pages wait for
the same lock anyway (each request saves its session), so PostgreSQL is what to run long imports
on. Progress is kept in the database rather than in Django's cache because no shared cache is
configured: the default cache is per process, and the worker and the server are two processes.

Errors
------
A failed job shows its error in Chinese. Domain errors — exception classes of xiangcun's own
modules, or any with `expected = True` — carry a message for the user and are shown as they are
(Django's ValidationError by its messages). A missing or unreadable input file is named. Anything
else is a fault, not the user's: the page says "任务执行出错(内部错误:类名),请联系系统管理员" and
the traceback goes to the log (logger "xiangcun.jobs").
"""
import logging
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone
from django_tasks import task

from . import audit
from .models import Job, JobStatus

logger = logging.getLogger("xiangcun.jobs")

KINDS = {}
# The id of this process's worker (set by `xiangcun worker`), recorded on the jobs it runs so that a
# job whose worker dies can be found (core/workers.py). Empty when jobs run in the web process.
WORKER_ID = ""


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


class Progress:
    """The `report` callable given to a job function (see "Progress" above)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self._own = None  # the progress connection, opened at the first report

    def __call__(self, done: int, total: int, message: str = "") -> None:
        message = message[:300]
        if connection.vendor == "sqlite":
            Job.objects.filter(pk=self.job_id).update(done=done, total=total, message=message)
            return
        table, quote = Job._meta.db_table, connection.ops.quote_name
        try:
            if self._own is None:
                self._own = connections.create_connection(DEFAULT_DB_ALIAS)
                if self._own.vendor == "postgresql":
                    with self._own.cursor() as cursor:
                        cursor.execute("SET lock_timeout = '5s'")
            with self._own.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote('done')} = %s, {quote('total')} = %s, {quote('message')} = %s "
                    f"WHERE {quote('id')} = %s",
                    [done, total, message, self.job_id],
                )
        except DatabaseError:  # progress is for show: the job goes on without this step
            logger.warning("job %s: progress %s/%s not recorded", self.job_id, done, total, exc_info=True)

    def close(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None


def is_domain_error(exc: BaseException) -> bool:
    """An error whose message is meant for the user (in Chinese), as opposed to a fault."""
    return (getattr(exc, "expected", False) or exc.__class__.__module__.startswith("xiangcun.")
            or isinstance(exc, ValidationError))


def error_message(exc: BaseException) -> str:
    """What the job page says about a failure, in Chinese."""
    if isinstance(exc, ValidationError):
        return ";".join(exc.messages)
    if is_domain_error(exc):
        return str(exc) or exc.__class__.__name__
    filename = getattr(exc, "filename", None)
    if isinstance(exc, FileNotFoundError) and filename:
        return f"找不到文件“{PurePath(str(filename)).name}”:文件可能已被移走或删除,请重新上传或选择文件后再试"
    if isinstance(exc, PermissionError) and filename:
        return f"没有权限读取文件“{PurePath(str(filename)).name}”,请联系系统管理员"
    return f"任务执行出错(内部错误:{exc.__class__.__name__}),请联系系统管理员"


@task()
def execute(job_id: int) -> None:
    # Several workers may run: only the one that flips queued → running does the work.
    if not Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now(), worker=WORKER_ID):
        return
    job = Job.objects.get(pk=job_id)
    report = Progress(job_id)
    try:
        with audit.context(actor=job.owner, request_id=f"job-{job.pk}"):  # the job's changes are its owner's
            result, url = KINDS[job.kind](job, report, **job.params)
    except Exception as exc:  # the job page shows the error; the function's transaction rolled back
        if not is_domain_error(exc):
            logger.exception("job %s (%s) failed", job_id, job.kind)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=error_message(exc), finished_at=timezone.now(), message="失败",
        )
        return
    finally:
        report.close()
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED, result=result, result_url=url or "", finished_at=timezone.now(), message="完成"
    )

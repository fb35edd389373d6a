"""Job workers: heartbeats, and jobs whose worker died.

Each `xiangcun worker` process beats every `BEAT_SECONDS` into a `WorkerBeat` row (on a thread of
its own, so a long job does not stop the beat) and, on the same beat, fails the jobs of workers
that are gone. A worker is gone when
- it runs on this machine and its process no longer exists (checked at once), or
- its last beat is older than the lease (`XIANGCUN_WORKER_LEASE`, 120 s): for workers on other
  machines, which cannot be checked by process id.
A job of a gone worker is marked failed with a Chinese message. Its writes were in one transaction
on the dead worker's connection, so the database rolled them back: nothing half-written remains.
It is not retried on its own: re-running an import or a reconciliation is the user's decision.

`/readyz` reports ready only while some worker beat within the lease.
"""
from __future__ import annotations

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.utils import DatabaseError
from django.utils import timezone

from .models import Job, JobStatus, WorkerBeat

logger = logging.getLogger("xiangcun.jobs")
BEAT_SECONDS = 10
HOST = socket.gethostname()[:100]


def lease_seconds() -> int:
    return int(getattr(settings, "WORKER_LEASE_SECONDS", 120))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def beat(worker_id: str) -> None:
    now = timezone.now()
    updated = WorkerBeat.objects.filter(worker_id=worker_id).update(last_seen=now, stopped_at=None)
    if not updated:
        WorkerBeat.objects.create(worker_id=worker_id, hostname=HOST, pid=os.getpid(), started_at=now, last_seen=now)


def stopped(worker_id: str) -> None:
    WorkerBeat.objects.filter(worker_id=worker_id).update(stopped_at=timezone.now())


def gone_workers(now=None) -> list[WorkerBeat]:
    """Workers that hold running jobs but are no longer alive (see module docstring)."""
    now = now or timezone.now()
    busy = Job.objects.filter(status=JobStatus.RUNNING).exclude(worker="").values_list("worker", flat=True)
    out = []
    for w in WorkerBeat.objects.filter(worker_id__in=set(busy)):
        stale = (now - w.last_seen).total_seconds() > lease_seconds()
        if w.hostname == HOST and w.pid != os.getpid():
            dead = not _process_alive(w.pid) or (w.stopped_at is not None and stale)
        else:
            dead = stale or w.stopped_at is not None and w.pid != os.getpid()
        if dead:
            out.append(w)
    # a running job naming a worker that never beat (its row is gone) is orphaned as well
    known = {w.worker_id for w in WorkerBeat.objects.filter(worker_id__in=set(busy))}
    out.extend(WorkerBeat(worker_id=wid, hostname="?", pid=0, last_seen=None) for wid in set(busy) - known)
    return out


def fail_orphaned_jobs(now=None) -> int:
    """Mark failed the running jobs of workers that are gone; returns how many."""
    failed = 0
    for w in gone_workers(now):
        when = timezone.localtime(w.last_seen).strftime("%Y-%m-%d %H:%M:%S") if w.last_seen else "无记录"
        message = (f"执行该任务的后台进程已中断(进程 {w.hostname}:{w.pid},最后一次心跳 {when})。"
                   "任务的写入已整体撤销,没有留下不完整的数据。请重新提交该任务。")
        failed += Job.objects.filter(status=JobStatus.RUNNING, worker=w.worker_id).update(
            status=JobStatus.FAILED, error=message, message="失败", finished_at=timezone.now())
    if failed:
        logger.warning("failed %d job(s) of gone workers", failed)
    return failed


def worker_alive_recently(now=None) -> bool:
    now = now or timezone.now()
    since = now - timezone.timedelta(seconds=lease_seconds())
    return WorkerBeat.objects.filter(last_seen__gte=since, stopped_at__isnull=True).exists()


class Heartbeat(threading.Thread):
    """Beats for one worker process until stopped; reaps gone workers' jobs on each beat."""

    def __init__(self, worker_id: str, interval: float = BEAT_SECONDS):
        super().__init__(name="xiangcun-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                close_old_connections()
                beat(self.worker_id)
                fail_orphaned_jobs()
            except DatabaseError:  # database down or busy: try again on the next beat
                logger.warning("worker %s: heartbeat not recorded", self.worker_id, exc_info=True)
            self._stop_event.wait(self.interval)
        connection.close()

    def stop(self) -> None:
        self._stop_event.set()


def _register_ping():
    from .jobs import job_kind

    @job_kind("ping")
    def ping(job, report, seconds: float = 0):
        """后台任务自检: proves a worker takes jobs; `done` counts executions (a second run would show 2)."""
        import time

        from django.db.models import F

        Job.objects.filter(pk=job.pk).update(done=F("done") + 1, total=1)
        if seconds:
            time.sleep(min(float(seconds), 600))
        from . import jobs

        return {"worker": jobs.WORKER_ID}, ""


_register_ping()

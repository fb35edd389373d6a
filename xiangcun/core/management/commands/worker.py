"""`xiangcun worker`: the django-tasks database worker, with a heartbeat (core/workers.py).

Several workers, on one machine or several against PostgreSQL, share the queue: a task is claimed
under a row lock and a job runs once (core.jobs.execute flips queued → running exactly once).
SIGTERM/SIGINT stop the worker after the current job (the django-tasks worker's own handling); a
second signal ends it at once, and its job is then failed by the other workers' heartbeats.
"""
import os
import socket

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from xiangcun.core import jobs, workers


class Command(DbWorkerCommand):
    help = "运行后台任务进程(可在多台机器上各运行若干个)"

    def handle(self, *args, worker_id: str, **options):
        # django-tasks draws one default id per import; make it unique per process and readable
        worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{worker_id[:8]}"
        jobs.WORKER_ID = worker_id
        close_old_connections()
        workers.beat(worker_id)
        heartbeat = workers.Heartbeat(worker_id)
        heartbeat.start()
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            heartbeat.stop()
            try:
                workers.stopped(worker_id)
            except Exception:  # noqa: BLE001 - the database may be what stopped us
                pass

"""Serving and workers: probes for a load balancer, jobs of dead workers, 503 when the database is down."""
import subprocess
import sys

import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
from django.test import override_settings
from django.urls import path
from django.utils import timezone

from xiangcun.core import jobs, workers
from xiangcun.core.models import Job, JobStatus, WorkerBeat


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _running_job(worker_id: str) -> Job:
    return Job.objects.create(kind="ping", title="自检", status=JobStatus.RUNNING, worker=worker_id,
                              started_at=timezone.now())


def test_healthz_answers_without_signing_in_and_says_nothing_about_the_data(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_only_while_a_worker_beats(client, db):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok", "worker": "none"}

    workers.beat("w-alive")
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["status"] == "ok"

    workers.stopped("w-alive")  # a worker that stopped on SIGTERM no longer counts
    assert client.get("/readyz").status_code == 503


def test_a_job_whose_worker_process_died_is_failed_with_a_chinese_message(db):
    now = timezone.now()
    WorkerBeat.objects.create(worker_id="w-dead", hostname=workers.HOST, pid=_dead_pid(), started_at=now, last_seen=now)
    WorkerBeat.objects.create(worker_id="w-live", hostname=workers.HOST, pid=1, started_at=now, last_seen=now)
    dead, live = _running_job("w-dead"), _running_job("w-live")

    assert workers.fail_orphaned_jobs() == 1
    dead.refresh_from_db()
    live.refresh_from_db()
    assert dead.status == JobStatus.FAILED
    assert "后台进程已中断" in dead.error and "请重新提交" in dead.error and "没有留下不完整的数据" in dead.error
    assert live.status == JobStatus.RUNNING  # pid 1 exists: that worker is alive


def test_a_worker_on_another_machine_is_dead_once_its_lease_runs_out(db, settings):
    settings.WORKER_LEASE_SECONDS = 120
    now = timezone.now()
    old = now - timezone.timedelta(seconds=300)
    WorkerBeat.objects.create(worker_id="w-far-stale", hostname="other-host", pid=4242, started_at=old, last_seen=old)
    WorkerBeat.objects.create(worker_id="w-far-fresh", hostname="other-host", pid=4243, started_at=now, last_seen=now)
    stale, fresh = _running_job("w-far-stale"), _running_job("w-far-fresh")
    workers.fail_orphaned_jobs()
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == JobStatus.FAILED and fresh.status == JobStatus.RUNNING


def test_jobs_run_in_the_web_process_are_never_reaped(db):
    job = _running_job("")
    assert workers.fail_orphaned_jobs() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


def test_the_ping_job_records_one_execution_and_its_worker(db, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(jobs, "WORKER_ID", "w-test")
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start("ping", "后台任务自检")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.done == 1
    assert job.worker == "w-test" and job.result == {"worker": "w-test"}


@login_not_required
def _down(request):
    raise OperationalError("connection to server at \"127.0.0.1\", port 5432 failed: Connection refused")


urlpatterns = [path("down/", _down, name="test-down"), path("api/v1/down/", _down, name="test-api-down")]
handler500 = "xiangcun.core.errors.server_error"


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_database_outage_answers_503_in_chinese_not_500(client, db, monkeypatch):
    from xiangcun.core.access import Access, declared

    for name in ("test-down", "test-api-down"):
        monkeypatch.setitem(declared(), name, Access(public=True))
    client.raise_request_exception = False
    response = client.get("/down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "服务暂时不可用" in response.content.decode() and "数据库暂时无法连接" in response.content.decode()

    response = client.get("/api/v1/down/")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable" and "数据库" in response.json()["message"]


def test_serve_command_refuses_nonsense_and_names_its_server():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="至少为 1"):
        call_command("serve", "--workers", "0")


@pytest.mark.parametrize("redis", [True, False])
def test_redis_url_moves_cache_sessions_and_lockouts_to_redis(redis, tmp_path):
    env = {"XIANGCUN_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "xiangcun.settings", "PATH": "/usr/bin:/bin"}
    if redis:
        env["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    code = ("from django.conf import settings as s; print(s.CACHES['default']['BACKEND'], "
            "s.SESSION_ENGINE, getattr(s, 'AXES_HANDLER', 'db'))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    if redis:
        assert out.split() == ["django.core.cache.backends.redis.RedisCache", "django.contrib.sessions.backends.cache",
                               "axes.handlers.cache.AxesCacheHandler"]
    else:
        assert "locmem" in out and "backends.db" in out

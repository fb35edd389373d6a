"""Background jobs: progress, errors in Chinese, nothing half-written, never run twice."""
import pytest
from django.urls import reverse

from xiangcun.core import jobs
from xiangcun.core.models import Job, JobStatus

calls = []


@jobs.job_kind("test_count")
def count_job(job, report, n):
    for i in range(n):
        report(i + 1, n, f"第 {i + 1} 步")
    calls.append(job.pk)
    return {"message": f"完成 {n} 步"}, ""


@jobs.job_kind("test_fail")
def failing_job(job, report):
    """Like every job kind, it writes in one transaction (see core/jobs.py)."""
    from django.db import transaction

    from xiangcun.divisions.models import Edition

    with transaction.atomic():
        Edition.objects.create(year=2099, ref_date="2099-01-01")  # a write that must not survive
        raise ValueError("第 3 行:区划代码不是 12 位数字")


def run(job):
    jobs.execute.call(job.pk)
    job.refresh_from_db()
    return job


def test_a_job_reports_progress_and_runs_once(db):
    calls.clear()
    job = Job.objects.create(kind="test_count", title="计数", params={"n": 4})
    job = run(job)
    assert job.status == JobStatus.SUCCEEDED and job.percent == 100 and job.result["message"] == "完成 4 步"
    run(job)  # a second worker picking up the same job does nothing
    assert calls == [job.pk]


@pytest.mark.django_db(transaction=True)
def test_a_failed_job_shows_the_error_and_leaves_no_partial_writes(client, make_user):
    from xiangcun.divisions.models import Edition

    owner = make_user("owner")
    job = Job.objects.create(kind="test_fail", title="会失败的任务", owner=owner)
    job = run(job)
    assert job.status == JobStatus.FAILED and "第 3 行" in job.error
    assert not Edition.objects.filter(year=2099).exists()
    client.force_login(owner)
    page = client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert "失败" in page and "第 3 行:区划代码不是 12 位数字" in page


def test_the_progress_fragment_polls_until_done(client, make_user):
    owner = make_user("owner")
    job = Job.objects.create(kind="test_count", title="计数", owner=owner, params={"n": 2}, done=1, total=2,
                             status=JobStatus.RUNNING)
    client.force_login(owner)
    fragment = client.get(reverse("core:job_progress", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "50%" in fragment
    run_job = Job.objects.get(pk=job.pk)
    run_job.status = JobStatus.QUEUED
    run_job.save()
    run(run_job)
    done = client.get(reverse("core:job_progress", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and "100%" in done


def test_other_users_jobs_answer_404(client, make_user):
    job = Job.objects.create(kind="test_count", title="别人的任务", owner=make_user("a"), params={"n": 1})
    client.force_login(make_user("b"))
    assert client.get(reverse("core:job", args=[job.pk])).status_code == 404

"""Background jobs: progress, errors in Chinese, nothing half-written, never run twice."""
import logging

import pytest
from django.core.exceptions import ValidationError
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
    from xiangcun.divisions.services import DivisionError

    with transaction.atomic():
        Edition.objects.create(year=2099, ref_date="2099-01-01")  # a write that must not survive
        raise DivisionError("第 3 行:区划代码不是 12 位数字")


@jobs.job_kind("test_crash")
def crashing_job(job, report):
    """A fault, not the user's: a unique constraint broken halfway through the job's write."""
    from django.db import transaction

    from xiangcun.divisions.models import Edition

    with transaction.atomic():
        Edition.objects.create(year=2098, ref_date="2098-01-01")
        Edition.objects.create(year=2098, ref_date="2098-01-01")


@jobs.job_kind("test_invalid")
def invalid_job(job, report):
    raise ValidationError(["截止日期不能早于 2000 年", "版次必须是四位年份"])


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


def job_page(client, job):
    client.force_login(job.owner)
    return client.get(reverse("core:job", args=[job.pk])).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_fault_is_shown_in_chinese_and_its_traceback_logged(client, make_user, caplog):
    from xiangcun.divisions.models import Edition

    job = Job.objects.create(kind="test_crash", title="会出错的任务", owner=make_user("owner"))
    with caplog.at_level(logging.ERROR, logger="xiangcun.jobs"):
        job = run(job)
    assert job.status == JobStatus.FAILED
    assert job.error == "任务执行出错(内部错误:IntegrityError),请联系系统管理员"
    assert not Edition.objects.filter(year=2098).exists()
    page = job_page(client, job)
    assert "任务执行出错(内部错误:IntegrityError),请联系系统管理员" in page
    assert "UNIQUE" not in page and "unique" not in page and "duplicate" not in page  # no raw database English
    logged = [r for r in caplog.records if r.name == "xiangcun.jobs"]
    assert logged and logged[0].exc_info and "IntegrityError" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_missing_input_file_is_named(client, make_user, tmp_path, caplog):
    gone = tmp_path / "uploads" / "2020.csv.gz"
    job = Job.objects.create(kind="nbs_import", title="导入 2020 年版", owner=make_user("owner"),
                             params={"path": str(gone), "edition": 2020, "ref_date": "2020-06-30"})
    job = run(job)
    assert job.status == JobStatus.FAILED
    page = job_page(client, job)
    assert "找不到文件“2020.csv.gz”" in page
    assert "No such file" not in page and "Errno" not in page and str(tmp_path) not in page


def test_domain_and_validation_errors_are_shown_as_they_are(make_user):
    from xiangcun.divisions import nbs

    job = run(Job.objects.create(kind="test_invalid", title="校验", owner=make_user("owner")))
    assert job.error == "截止日期不能早于 2000 年;版次必须是四位年份"
    assert jobs.error_message(nbs.EditionFileError(["第 2 行:区划代码不是 12 位数字"])) == "文件有 1 处错误:\n第 2 行:区划代码不是 12 位数字"
    assert jobs.error_message(PermissionError(13, "Permission denied", "/srv/nbs/2021.csv.gz")) == \
        "没有权限读取文件“2021.csv.gz”,请联系系统管理员"
    assert jobs.error_message(KeyError("edition")) == "任务执行出错(内部错误:KeyError),请联系系统管理员"


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

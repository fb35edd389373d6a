"""A large upload is checked by a background job, not in the request: the user sees the job's progress, then
the same preview the request would have shown; confirming writes in one atomic write (again as a job).
The stored upload, its job and its preview are the uploader's alone, and expire."""
import io
import os
import re
import time

import pytest
from django.urls import reverse
from openpyxl import Workbook

from xiangcun.accounts.models import Role
from xiangcun.core import excel_views
from xiangcun.core.excel import estimate_rows
from xiangcun.core.models import Job, JobStatus
from xiangcun.divisions.imports import GroupImporter
from xiangcun.divisions.models import Division

HEADER = ["村民小组名称", "所属村代码", "户数", "人口"]


def workbook(rows, name="groups.xlsx"):
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = name
    return buf


@pytest.fixture
def office(client, maerkang, make_user):
    user = make_user("office", Role.REFORM_OFFICE, maerkang)
    client.force_login(user)
    return user


@pytest.fixture
def url(unit):
    return reverse("divisions:group_import", args=[unit("松岗镇").pk])


def rows_of(unit, n, bad=()):
    code = unit("松岗村").code
    return [HEADER] + [[f"第{i}组", "12345" if i in bad else code, 10 + i, 40 + i] for i in range(1, n + 1)]


def page_body(response, token) -> str:
    """The preview page's content, with the upload's token (different on each upload) blanked."""
    html = response.content.decode()
    html = html[html.index('<div class="page-title">'):]
    html = re.sub(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">', "", html)
    return html.replace(token, "TOKEN")


def upload(client, url, rows, capture):
    with capture(execute=True):
        return client.post(url, {"file": workbook(rows)})


def test_the_row_count_comes_from_the_declared_dimension_without_parsing(unit):
    data = workbook(rows_of(unit, 12)).getvalue()
    assert estimate_rows(data) == 13


@pytest.mark.parametrize("bad", [(), (3, 7)])
def test_a_large_upload_becomes_a_job_whose_preview_is_the_immediate_one(client, office, url, unit, settings, bad,
                                                                         django_capture_on_commit_callbacks):
    rows = rows_of(unit, 12, bad)
    settings.IMPORT_JOB_ROWS = 1000
    immediate = upload(client, url, rows, django_capture_on_commit_callbacks)
    assert immediate.status_code == (400 if bad else 200)
    assert not Job.objects.exists()

    settings.IMPORT_JOB_ROWS = 5
    answer = upload(client, url, rows, django_capture_on_commit_callbacks)
    assert answer.status_code == 302
    token = re.search(r"token=([\w-]+)", answer["Location"])[1]
    job = Job.objects.get(kind="excel_preview")
    assert job.owner == office and job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["open"] and job.result_url == answer["Location"]
    preview = client.get(answer["Location"])
    assert preview.status_code == immediate.status_code
    assert page_body(preview, token) == page_body(immediate, immediate.context["token"])
    stored = excel_views.load_preview(token, job.pk)
    importer = GroupImporter(scope=Division.objects.visible_to(office).subtree(unit("松岗镇")))
    assert stored == excel_views.preview_data(importer, importer.parse(excel_views.upload_dir() / f"{token}.xlsx"))
    if bad:
        assert "发现 2 处错误" in job.result["message"]
        marked = client.get(answer["Location"] + "&download=errors")
        assert marked.status_code == 200 and marked["Content-Type"] == excel_views.XLSX_TYPE
    else:
        assert "新增 12 个" in job.result["message"]
    assert not Division.objects.filter(name="第1组").exists()  # a preview writes nothing


def test_confirming_a_large_upload_writes_every_row_in_a_job(client, office, url, unit, settings,
                                                            django_capture_on_commit_callbacks):
    settings.IMPORT_JOB_ROWS = 5
    answer = upload(client, url, rows_of(unit, 12), django_capture_on_commit_callbacks)
    token = re.search(r"token=([\w-]+)", answer["Location"])[1]
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(url, {"action": "confirm", "token": token})
    assert confirmed.status_code == 302 and confirmed["Location"] == answer["Location"]
    write = Job.objects.get(kind="excel_import")
    assert write.status == JobStatus.SUCCEEDED and write.result["written"], write.error
    assert Division.objects.filter(parent=unit("松岗村"), name__startswith="第").count() == 12
    # a second click starts nothing more
    again = client.post(url, {"action": "confirm", "token": token})
    assert again.status_code == 302 and Job.objects.filter(kind="excel_import").count() == 1
    done = client.get(answer["Location"], follow=True)
    assert "导入完成:新增 12 个" in done.content.decode()
    assert not list(excel_views.upload_dir().glob(f"{token}*"))  # the stored upload and its preview are gone
    assert client.get(answer["Location"]).status_code == 404


def test_another_user_cannot_see_the_upload_its_job_or_its_preview(client, office, url, unit, settings, make_user,
                                                                   django_capture_on_commit_callbacks):
    settings.IMPORT_JOB_ROWS = 5
    answer = upload(client, url, rows_of(unit, 12), django_capture_on_commit_callbacks)
    token = re.search(r"token=([\w-]+)", answer["Location"])[1]
    entry = client.session[excel_views.SESSION_KEY][token]
    job = Job.objects.get(kind="excel_preview")
    other = make_user("office2", Role.REFORM_OFFICE, office.jurisdiction)
    client.force_login(other)
    assert client.get(answer["Location"]).status_code == 404
    assert client.get(reverse("core:job", args=[job.pk])).status_code == 404
    session = client.session  # even a session that names the token and the job: the job is not theirs
    session[excel_views.SESSION_KEY] = {token: entry}
    session.save()
    assert client.get(answer["Location"]).status_code == 404
    assert client.get(answer["Location"] + "&download=errors").status_code == 404
    assert client.post(url, {"action": "confirm", "token": token}).status_code == 404
    assert not Job.objects.filter(kind="excel_import").exists()


def test_a_failed_check_states_its_chinese_error_on_the_progress_page(client, office, url, unit, settings,
                                                                      django_capture_on_commit_callbacks):
    settings.IMPORT_JOB_ROWS = 5
    rows = [["名称", "备注"]] + [[f"第{i}组", "x"] for i in range(12)]
    answer = upload(client, url, rows, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="excel_preview")
    assert job.status == JobStatus.FAILED and "没有找到表头" in job.error
    page = client.get(answer["Location"]).content.decode()
    assert "没有找到表头" in page and "重新上传" in page and "确认导入" not in page


def test_the_progress_page_polls_the_job_and_opens_the_preview_when_done(client, office, url, unit, settings,
                                                                         django_capture_on_commit_callbacks):
    settings.IMPORT_JOB_ROWS = 5
    answer = upload(client, url, rows_of(unit, 12), lambda execute: django_capture_on_commit_callbacks(execute=False))
    job = Job.objects.get(kind="excel_preview")
    assert job.status == JobStatus.QUEUED
    waiting = client.get(answer["Location"]).content.decode()
    assert reverse("core:job_progress", args=[job.pk]) in waiting and "尚未写入任何数据" in waiting
    assert client.post(url, {"action": "confirm", "token": job.params["token"]}).status_code == 302
    assert not Job.objects.filter(kind="excel_import").exists()  # nothing to confirm before the check is done
    from xiangcun.core.jobs import execute

    execute.call(job.pk)
    poll = client.get(reverse("core:job_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert poll["HX-Redirect"] == answer["Location"]


def test_stored_uploads_previews_and_error_workbooks_expire(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    directory = excel_views.upload_dir()
    old = time.time() - excel_views.KEEP_SECONDS - 10
    for suffix in (".xlsx", ".preview.json", ".errors.xlsx", ".confirm-3"):
        path = directory / f"oldtoken{suffix}"
        path.write_bytes(b"x")
        os.utime(path, (old, old))
    (directory / "newtoken.preview.json").write_bytes(b"x")
    excel_views._sweep(directory)
    assert [p.name for p in directory.iterdir()] == ["newtoken.preview.json"]


def test_a_row_refused_while_writing_leaves_nothing_written(client, office, url, unit, settings, monkeypatch,
                                                             django_capture_on_commit_callbacks):
    from xiangcun.core.excel import RowError

    settings.IMPORT_JOB_ROWS = 5
    answer = upload(client, url, rows_of(unit, 12), django_capture_on_commit_callbacks)
    token = re.search(r"token=([\w-]+)", answer["Location"])[1]
    original = GroupImporter.save_row

    def save_row(self, values):
        if values["name"] == "第10组":
            raise RowError("该小组刚被他人改名", "name")
        return original(self, values)

    monkeypatch.setattr(GroupImporter, "save_row", save_row)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "confirm", "token": token})
    write = Job.objects.get(kind="excel_import")
    assert write.status == JobStatus.SUCCEEDED and not write.result.get("written")
    assert "未写入任何数据" in write.result["message"]
    assert not Division.objects.filter(parent=unit("松岗村"), name__startswith="第").exists()
    page = client.get(answer["Location"])
    assert page.status_code == 400 and "该小组刚被他人改名" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_jobs_parse_outside_any_transaction_and_write_in_one(client, office, url, unit, settings, monkeypatch):
    """The write lock is never held while parsing: both jobs parse in autocommit; only the write is atomic."""
    from django.db import connection

    settings.IMPORT_JOB_ROWS = 5
    seen = []
    parse, save_row = GroupImporter.parse, GroupImporter.save_row
    monkeypatch.setattr(GroupImporter, "parse",
                        lambda self, *a, **kw: seen.append(("parse", connection.in_atomic_block)) or parse(self, *a, **kw))
    monkeypatch.setattr(GroupImporter, "save_row",
                        lambda self, values: seen.append(("save", connection.in_atomic_block)) or save_row(self, values))
    answer = client.post(url, {"file": workbook(rows_of(unit, 12))})  # autocommit: the job runs at once
    token = re.search(r"token=([\w-]+)", answer["Location"])[1]
    assert client.post(url, {"action": "confirm", "token": token}).status_code == 302
    assert seen.count(("parse", False)) == 2 and ("parse", True) not in seen
    assert seen.count(("save", True)) == 12 and ("save", False) not in seen
    assert Division.objects.filter(parent=unit("松岗村"), name__startswith="第").count() == 12

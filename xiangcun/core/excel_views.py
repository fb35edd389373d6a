"""Pages for the Excel framework: template download, upload → preview → import, error workbook.

A module subclasses `ImportView`, names its Importer and says where to go afterwards:

    class GroupImportView(ImportView):
        importer_class = GroupImporter
        template_url_name = "divisions:group_template"

        def get_importer(self):
            return GroupImporter(scope=...)          # the units this user may import into

        def get_success_url(self):
            return reverse("divisions:detail", args=[self.kwargs["pk"]])

The flow, all on the view's one URL: POST a file → the preview page (the first rows, what the import
would create or update, and every error); POST action=confirm → one atomic write and a redirect;
GET ?token=…&download=errors → the uploaded sheet with the bad cells marked. The uploaded file
waits under MEDIA_ROOT/imports/ (never in the session), keyed by a random token that the session
ties to this user and this URL; it is checked again in full when the import is confirmed.

Large uploads (more rows than settings.IMPORT_JOB_ROWS by the sheet's declared dimension, read
before any cell is parsed) are not checked in the request: the upload is stored and a background
job (`excel_preview`) works out the same preview into MEDIA_ROOT/imports/<token>.preview.json
(and the marked error workbook). GET ?token=… shows the job's progress and then that preview;
confirming starts `excel_import`, which checks the file again and writes it in one atomic write.
The jobs belong to the uploading user (the session entry names the job, the job names its owner
and token: anyone else gets 404); every stored file expires with the upload (KEEP_SECONDS).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import content_disposition_header
from django.views import View

from . import jobs
from .excel import BLANK_RUN, CLEAR_MARK, XLSX_TYPE, Counts, Error, Importer, Refused, check_archive, estimate_rows, read_upload
from .models import Job, JobStatus

SESSION_KEY = "excel_imports"
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")
KEEP_SECONDS = 24 * 3600
PREVIEW_ROWS = 20
SHOWN_CHANGES = 500  # updated rows whose field-by-field changes the preview lists
SHOWN_ERRORS = 1000


class PreviewRow(tuple):
    """(line, cells, outcome) of a preview row, with `changes` [(header, old, new)] of an update."""

    changes: list = []


def _preview_row(line, cells, outcome, changes) -> PreviewRow:
    row = PreviewRow((line, cells, outcome))
    row.changes = changes
    return row


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    return HttpResponse(data, content_type=XLSX_TYPE,
                        headers={"Content-Disposition": content_disposition_header(True, filename)})


def template_response(importer: Importer) -> HttpResponse:
    """The importer's blank template as a download named after it (e.g. 村民小组导入模板.xlsx)."""
    return xlsx_response(importer.template(), f"{importer.title}导入模板.xlsx")


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep(directory: Path) -> None:
    """Forget uploads nobody confirmed within a day, with their stored previews and error workbooks."""
    cutoff = time.time() - KEEP_SECONDS
    for path in directory.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass


def import_job_rows() -> int:
    """Uploads with more rows than this (declared dimension) are checked by a background job."""
    return int(getattr(settings, "IMPORT_JOB_ROWS", 3000))


def preview_data(importer: Importer, result) -> dict:
    """What the preview page shows of a parse, as plain data (JSON): the immediate preview renders it at
    once, a background job stores it for the same page to render later."""
    ok = result.ok
    labels = {"created": "新增", "updated": "更新", "unchanged": "不变"}
    changed = [r for r in result.rows if r.outcome == "updated"] if ok else []
    return {
        "sheet": result.sheet, "header_row": result.header_row, "notices": list(result.notices),
        "row_count": len(result.rows), "error_count": len(result.errors),
        "errors": [[e.row, e.column, e.value, e.reason, e.col] for e in result.errors[:SHOWN_ERRORS]],
        "counts": {"created": result.count("created"), "updated": result.count("updated"),
                   "unchanged": result.count("unchanged")} if ok else None,
        "fields": [c.field for c in result.columns],
        "preview": [[row.line, [importer.display_value(c, row.values.get(c.field)) for c in result.columns],
                     labels.get(row.outcome, "") if ok else "", [list(c) for c in row.changes]]
                    for row in result.rows[:PREVIEW_ROWS]],
        "changed": [[r.line, [list(c) for c in r.changes]] for r in changed[:SHOWN_CHANGES]],
        "more_changed": max(0, len(changed) - SHOWN_CHANGES),
    }


class ImportJobError(Exception):
    """Why a background import check or write could not run, in Chinese (shown on the job's page)."""


class _Changed:
    """An updated row of the list of changes: `line` and `changes` [(header, old, new)]."""

    def __init__(self, line, changes):
        self.line, self.changes = line, changes


def _stored_file(token: str, suffix: str) -> Path:
    return upload_dir() / f"{token}{suffix}"


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


class ImportView(View):
    importer_class: type[Importer] = Importer
    template_url_name: str | None = None  # the module's template download; default: ?template=1 here
    upload_template = "core/import_upload.html"
    preview_template = "core/import_preview.html"

    # hooks

    def check_permission(self) -> None:
        """Raise PermissionDenied (403) or Http404 before anything else happens."""

    def get_importer(self) -> Importer:
        return self.importer_class()

    def get_success_url(self) -> str:
        raise NotImplementedError

    def get_back(self) -> tuple[str, str]:
        """(label, url) of the page the import belongs to, for breadcrumbs and the cancel button."""
        return "返回", self.get_success_url()

    # plumbing

    def dispatch(self, request, *args, **kwargs):
        self.check_permission()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        importer = self.get_importer()
        if "template" in request.GET:
            return template_response(importer)
        token = request.GET.get("token")
        if not token:
            return self.render_upload()
        path = self._stored(token)
        job = self._job(token)
        if job is not None:
            return self.job_page(importer, token, job)
        result = importer.parse(path)
        if request.GET.get("download") == "errors":
            data = importer.error_workbook(path, result.errors, result.sheet)
            return xlsx_response(data, f"{importer.title}导入错误标注.xlsx")
        return self.render_preview(importer, token, result)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "upload")
        if action == "upload":
            return self.upload()
        token = request.POST.get("token", "")
        path = self._stored(token)
        job = self._job(token)
        if action == "cancel":
            if job is not None and job.kind == "excel_import" and not job.finished:
                return redirect(self.token_url(token))  # the write has begun: it completes or rolls back whole
            self._forget(token)
            return redirect(self.get_back()[1])
        if job is not None:
            return self.confirm_as_job(token, job)
        importer = self.get_importer()
        result = importer.parse(path)  # checked again: the registry may have changed since the preview
        if result.ok:
            counts = importer.import_rows(result.rows)
            if not counts.errors:
                self._forget(token)
                messages.success(request, counts.message(importer.title))
                return redirect(self.get_success_url())
            result.errors = counts.errors
        return self.render_preview(importer, token, result)

    def upload(self):
        request = self.request
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的 Excel 文件")
            return redirect(self.get_back()[1])
        importer = self.get_importer()
        try:
            data = read_upload(upload, importer.max_bytes)
            check_archive(data)
            rows = estimate_rows(data)  # the declared dimension: no cell is parsed yet
        except Refused as exc:
            return self.render_upload(str(exc))
        except Exception:  # a damaged zip: the parse below states it in Chinese
            rows = 0
        # above the row cap the parse refuses at once (the declared dimension), here, on the upload page
        if import_job_rows() < rows <= importer.row_cap():
            token = self._keep(data, upload.name)
            job = jobs.start("excel_preview", f"导入{importer.title}:检查“{upload.name[-100:]}”", owner=request.user,
                             token=token, path=request.path, query=self._query(), rows=rows)
            self._remember(token, job=job.pk)
            return redirect(self.token_url(token))
        result = importer.parse(data)
        if result.refused:
            return self.render_upload(result.errors[0].reason)
        token = self._keep(data, upload.name)
        return self.render_preview(importer, token, result)

    def _keep(self, data: bytes, name: str) -> str:
        """Store an upload under a new token that this session remembers."""
        directory = upload_dir()
        _sweep(directory)
        token = secrets.token_urlsafe(24)
        (directory / f"{token}.xlsx").write_bytes(data)
        pending = self.request.session.get(SESSION_KEY, {})
        pending = dict(list(pending.items())[-9:])  # a few open previews per user at most
        pending[token] = {"path": self.request.path, "name": name[-100:]}
        self.request.session[SESSION_KEY] = pending
        return token

    def _remember(self, token: str, **fields) -> None:
        pending = self.request.session.get(SESSION_KEY, {})
        pending[token] = {**pending[token], **fields}
        self.request.session[SESSION_KEY] = pending

    def _stored(self, token: str) -> Path:
        entry = self.request.session.get(SESSION_KEY, {}).get(token)
        path = upload_dir() / f"{token}.xlsx"
        if not TOKEN_RE.fullmatch(token or "") or not entry or entry["path"] != self.request.path or not path.exists():
            raise Http404("导入文件已过期,请重新上传")
        return path

    def _forget(self, token: str) -> None:
        pending = self.request.session.get(SESSION_KEY, {})
        pending.pop(token, None)
        self.request.session[SESSION_KEY] = pending
        if TOKEN_RE.fullmatch(token or ""):
            for path in upload_dir().glob(f"{token}.*"):
                path.unlink(missing_ok=True)

    # large uploads: a background job checks (and later writes) the stored file

    def _query(self) -> str:
        """This page's query string without the token (a module's import may depend on ?period=…)."""
        query = self.request.GET.copy()
        query.pop("token", None)
        query.pop("download", None)
        return query.urlencode()

    def token_url(self, token: str, **extra) -> str:
        query = QueryDict(self._query(), mutable=True)
        query["token"] = token
        for key, value in extra.items():
            query[key] = value
        return f"{self.request.path}?{query.urlencode()}"

    def _job(self, token: str) -> Job | None:
        """The background job of a stored upload (None for a small one checked in the request); 404 for
        a job that is not this user's or not this upload's."""
        job_id = self.request.session.get(SESSION_KEY, {}).get(token, {}).get("job")
        if job_id is None:
            return None
        job = Job.objects.filter(pk=job_id, owner=self.request.user, kind__in=JOB_KINDS).first()
        if job is None or job.params.get("token") != token or job.params.get("path") != self.request.path:
            raise Http404("导入文件已过期,请重新上传")
        return job

    def job_page(self, importer: Importer, token: str, job: Job):
        """The upload's job running (its progress), failed (its error), or done: the preview it stored, or
        — once the import is written — the module's page with the usual message."""
        request = self.request
        if job.status != JobStatus.SUCCEEDED:
            entry = request.session.get(SESSION_KEY, {}).get(token, {})
            return render(request, "core/import_job.html", self.context(
                importer=importer, job=job, token=token, file_name=entry.get("name", ""),
                rows=job.params.get("rows"), writing=job.kind == "excel_import"))
        if (job.result or {}).get("written"):
            self._forget(token)
            messages.success(request, job.result["message"])
            return redirect(self.get_success_url())
        data = load_preview(token, job.pk)
        if data is None:
            raise Http404("导入文件已过期,请重新上传")
        if request.GET.get("download") == "errors":
            errors = _stored_file(token, ".errors.xlsx")
            if not errors.exists():
                raise Http404("导入文件已过期,请重新上传")
            return FileResponse(errors.open("rb"), as_attachment=True, content_type=XLSX_TYPE,
                                filename=f"{importer.title}导入错误标注.xlsx")
        return self.render_data(importer, token, data)

    def confirm_as_job(self, token: str, job: Job):
        """Confirming a large upload: a job checks the file again and writes it in one atomic write.
        Once per finished check (a second click, or two at once, only shows the running job)."""
        if job.status != JobStatus.SUCCEEDED or (job.result or {}).get("written"):
            return redirect(self.token_url(token))
        try:
            os.close(os.open(_stored_file(token, f".confirm-{job.pk}"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return redirect(self.token_url(token))
        importer = self.get_importer()
        name = self.request.session.get(SESSION_KEY, {}).get(token, {}).get("name", "")
        write = jobs.start("excel_import", f"导入{importer.title}:写入“{name}”", owner=self.request.user, token=token,
                           path=self.request.path, query=self._query(), rows=job.params.get("rows"))
        self._remember(token, job=write.pk)
        return redirect(self.token_url(token))

    def context(self, **extra) -> dict:
        importer = extra.get("importer") or self.get_importer()
        importer.bind_columns()  # the column list shows each column's bounds
        back_label, back_url = self.get_back()
        template_url = reverse(self.template_url_name) if self.template_url_name else self.request.path + "?template=1"
        return {"importer": importer, "title": f"导入{importer.title}", "back_label": back_label,
                "back_url": back_url, "template_url": template_url, "columns": importer.columns,
                "max_mb": importer.max_bytes // (1024 * 1024), "max_rows": importer.max_rows,
                "clear_mark": CLEAR_MARK, "blank_run": BLANK_RUN, **extra}

    def render_upload(self, error: str = ""):
        return render(self.request, self.upload_template, self.context(error=error), status=400 if error else 200)

    def render_preview(self, importer: Importer, token: str, result):
        """What confirming would do, worked out by reading only: new rows, updates with every changed
        field (old → new), unchanged rows. Nothing is written and no write transaction is opened here,
        so a large preview never holds the database's write lock."""
        return self.render_data(importer, token, preview_data(importer, result), result=result)

    def render_data(self, importer: Importer, token: str, data: dict, **extra):
        """The preview page of `preview_data` (worked out here or by a background job)."""
        importer.bind_columns()
        by_field = {c.field: c for c in importer.columns}
        counts = Counts(**data["counts"]) if data["counts"] is not None else None
        errors = [Error(*e) for e in data["errors"]]
        entry = self.request.session.get(SESSION_KEY, {}).get(token, {})
        return render(self.request, self.preview_template, self.context(
            importer=importer, token=token, counts=counts, shown_columns=[by_field[f] for f in data["fields"] if f in by_field],
            preview=[_preview_row(line, cells, outcome, changes) for line, cells, outcome, changes in data["preview"]],
            sheet=data["sheet"], header_row=data["header_row"], notices=data["notices"],
            row_count=data["row_count"], error_count=data["error_count"],
            errors=errors, more_errors=max(0, data["error_count"] - len(errors)),
            file_name=entry.get("name", ""), preview_size=PREVIEW_ROWS,
            errors_url=self.token_url(token, download="errors"),
            changed=[_Changed(line, changes) for line, changes in data["changed"]], more_changed=data["more_changed"],
            **extra,
        ), status=400 if data["error_count"] else 200)


# --- the background jobs of large uploads ------------------------------------------------------------------

JOB_KINDS = ("excel_preview", "excel_import")


def load_preview(token: str, job_id: int) -> dict | None:
    """The preview a job stored for an upload (None if expired or stored by another job)."""
    try:
        stored = json.loads(_stored_file(token, ".preview.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return stored["preview"] if stored.get("job") == job_id else None


def _job_view(job: Job, path: str, query: str) -> tuple[ImportView, Importer]:
    """The import view a job was started from, set up as its owner's request to that page would be,
    and its importer (the owner's scope)."""
    owner = job.owner
    if owner is None or not owner.is_active:
        raise ImportJobError("上传文件的用户已被停用或删除,导入未执行")
    try:
        match = resolve(path)
    except Resolver404:
        raise ImportJobError("导入页面已不存在,请重新上传") from None
    cls = getattr(match.func, "view_class", None)
    if not (isinstance(cls, type) and issubclass(cls, ImportView)):
        raise ImportJobError("导入页面已不存在,请重新上传")
    from .access import access_for

    access = access_for(match)
    if access is None or not access.permits(owner, "POST"):
        raise ImportJobError(access.denied if access else "您没有权限导入这些数据")
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET, request.POST = QueryDict(query), QueryDict()
    request.user, request.resolver_match, request.session = owner, match, {}
    view = cls()
    view.setup(request, *match.args, **match.kwargs)
    try:
        view.check_permission()
        importer = view.get_importer()
    except (PermissionDenied, Http404) as exc:
        raise ImportJobError(str(exc) or "您没有权限导入这些数据") from None
    return view, importer


def _job_parse(job: Job, report, importer: Importer, token: str, rows: int | None, verb: str):
    upload = _stored_file(token, ".xlsx")
    if not upload.exists():
        raise ImportJobError("上传的文件已过期或已取消,请重新上传")
    total = rows or 0
    report(0, total, f"正在{verb}")
    result = importer.parse(upload, progress=lambda n: report(n, max(total, n), f"已检查 {n} 行"))
    if result.refused:
        raise ImportJobError(result.errors[0].reason)
    return upload, result


def _store_preview(job: Job, importer: Importer, token: str, upload: Path, result) -> dict:
    """Keep the preview (and, for errors, the marked workbook) for the page to show."""
    if result.errors:
        _write_atomically(_stored_file(token, ".errors.xlsx"),
                          importer.error_workbook(upload, result.errors, result.sheet))
    data = preview_data(importer, result)
    _write_atomically(_stored_file(token, ".preview.json"),
                      json.dumps({"job": job.pk, "preview": data}, ensure_ascii=False).encode())
    return data


def _back_to_page(path: str, query: str, token: str) -> str:
    params = QueryDict(query, mutable=True)
    params["token"] = token
    return f"{path}?{params.urlencode()}"


@jobs.job_kind("excel_preview")
def preview_job(job, report, token: str, path: str, query: str = "", rows: int | None = None):
    """检查导入文件: the preview of a large upload, by reading only (no transaction is opened)."""
    view, importer = _job_view(job, path, query)
    upload, result = _job_parse(job, report, importer, token, rows, "检查")
    data = _store_preview(job, importer, token, upload, result)
    report(data["row_count"], data["row_count"], "检查完成")
    if result.errors:
        message = f"检查完成:发现 {data['error_count']} 处错误,未写入任何数据"
    else:
        c = data["counts"]
        message = f"检查完成:新增 {c['created']} 个,更新 {c['updated']} 个,未变 {c['unchanged']} 个,请在预览中确认导入"
    return {"message": message, "open": True}, _back_to_page(path, query, token)


@jobs.job_kind("excel_import")
def import_job(job, report, token: str, path: str, query: str = "", rows: int | None = None):
    """导入: the file is checked again in full (outside any transaction), then written in one atomic write."""
    view, importer = _job_view(job, path, query)
    upload, result = _job_parse(job, report, importer, token, rows, "复核")
    if result.ok:
        total = len(result.rows)
        report(0, total, "正在写入")
        counts = importer.import_rows(result.rows, progress=lambda n: report(n, total, f"已写入 {n} 行"))
        if not counts.errors:
            return ({"message": counts.message(importer.title), "written": True, "open": True},
                    _back_to_page(path, query, token))
        result.errors = counts.errors
    data = _store_preview(job, importer, token, upload, result)
    return ({"message": f"导入未通过:发现 {data['error_count']} 处错误,未写入任何数据", "open": True},
            _back_to_page(path, query, token))

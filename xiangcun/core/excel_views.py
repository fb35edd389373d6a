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
"""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views import View

from .excel import BLANK_RUN, CLEAR_MARK, XLSX_TYPE, Counts, Importer, Refused, read_upload

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
    """Forget uploads nobody confirmed within a day."""
    cutoff = time.time() - KEEP_SECONDS
    for path in directory.glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass


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
        if action == "cancel":
            self._forget(token)
            return redirect(self.get_back()[1])
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
        except Refused as exc:
            return self.render_upload(str(exc))
        result = importer.parse(data)
        if result.refused:
            return self.render_upload(result.errors[0].reason)
        directory = upload_dir()
        _sweep(directory)
        token = secrets.token_urlsafe(24)
        (directory / f"{token}.xlsx").write_bytes(data)
        pending = request.session.get(SESSION_KEY, {})
        pending = dict(list(pending.items())[-9:])  # a few open previews per user at most
        pending[token] = {"path": request.path, "name": upload.name[-100:]}
        request.session[SESSION_KEY] = pending
        return self.render_preview(importer, token, result)

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
        (upload_dir() / f"{token}.xlsx").unlink(missing_ok=True)

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
        columns = result.columns
        counts = None
        if result.ok:
            counts = Counts(created=result.count("created"), updated=result.count("updated"),
                            unchanged=result.count("unchanged"))
        labels = {"created": "新增", "updated": "更新", "unchanged": "不变"}
        rows = [_preview_row(row.line, [importer.display_value(c, row.values.get(c.field)) for c in columns],
                             labels.get(row.outcome, "") if counts else "", row.changes)
                for row in result.rows[:PREVIEW_ROWS]]
        changed = [r for r in result.rows if r.outcome == "updated"] if counts else []
        entry = self.request.session.get(SESSION_KEY, {}).get(token, {})
        return render(self.request, self.preview_template, self.context(
            importer=importer, token=token, result=result, counts=counts, preview=rows, shown_columns=columns,
            errors=result.errors[:SHOWN_ERRORS], more_errors=max(0, len(result.errors) - SHOWN_ERRORS),
            file_name=entry.get("name", ""), preview_size=PREVIEW_ROWS,
            changed=changed[:SHOWN_CHANGES], more_changed=max(0, len(changed) - SHOWN_CHANGES),
        ), status=400 if result.errors else 200)
